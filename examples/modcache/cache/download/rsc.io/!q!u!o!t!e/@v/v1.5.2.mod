module rsc.io/QUOTE

require rsc.io/quote v1.5.2
