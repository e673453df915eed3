module rsc.io/quote/v3

require rsc.io/sampler v1.3.0

