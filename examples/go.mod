module example.com/app

go 1.21

require (
	rsc.io/quote v1.5.2
	rsc.io/QUOTE v1.5.2
	rsc.io/quote/v3 v3.0.0
	rsc.io/breaker v2.0.0+incompatible
	example.com/notags v0.0.0-20190507143103-cc8cbe209b64
)
