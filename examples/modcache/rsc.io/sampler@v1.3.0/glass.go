// Copyright 2018 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Translations from Frank da Cruz, Ethan Mollick, and many others.
// See http://kermitproject.org/utf8.html.
// http://www.oocities.org/nodotus/hbglass.html
// https://en.wikipedia.org/wiki/I_Can_Eat_Glass

package sampler

var glass = newText(`

English: en: I can eat glass and it doesn't hurt me.
French: fr: Je peux manger du verre, ça ne me fait pas mal.
Spanish: es: Puedo comer vidrio, no me hace daño.

`)
