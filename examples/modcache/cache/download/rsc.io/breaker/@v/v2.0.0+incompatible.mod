module rsc.io/breaker
