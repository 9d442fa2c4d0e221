// Command etcd is etcd's own server entry point built from the Go module
// proxy, so the apiserver suite needs no distribution package and no image.
// etcd's server module keeps relative replace directives in its go.mod, which
// `go install module@version` refuses; a wrapper module that requires it as
// a dependency ignores them and resolves every etcd module by version.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
