module hashzip

go 1.21
