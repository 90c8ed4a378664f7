module github.com/hmrd/hmrd

go 1.26.8

require github.com/evanw/esbuild v0.28.2 // indirect
