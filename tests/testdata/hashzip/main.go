// Command hashzip prints, for each zip named on the command line, what Go's
// golang.org/x/mod/sumdb/dirhash.HashZip returns for it: "<path> h1:..." or
// "<path> ERR <error>". It is dirhash.HashZip and dirhash.Hash1 written out with the
// standard library only (x/mod cannot be downloaded here), so that modcache's zip
// hashing can be compared with Go's archive/zip on arbitrary damaged zips.
package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	for _, a := range os.Args[1:] {
		fmt.Print(a, " ")
		one(a)
	}
}

func one(path string) {
	z, err := zip.OpenReader(path)
	if err != nil {
		fmt.Println("ERR", err)
		return
	}
	defer z.Close()
	var files []string
	m := map[string]*zip.File{}
	for _, f := range z.File {
		files = append(files, f.Name)
		m[f.Name] = f
	}
	sort.Strings(files)
	h := sha256.New()
	for _, n := range files {
		if strings.Contains(n, "\n") {
			fmt.Println("ERR dirhash: filenames with newlines are not supported")
			return
		}
		r, err := m[n].Open()
		if err != nil {
			fmt.Println("ERR", err)
			return
		}
		hf := sha256.New()
		if _, err := io.Copy(hf, r); err != nil {
			fmt.Println("ERR", err)
			return
		}
		fmt.Fprintf(h, "%x  %s\n", hf.Sum(nil), n)
	}
	fmt.Println("h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil)))
}
