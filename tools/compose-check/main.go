// compose-check loads a compose file with compose-go, the loader Docker Compose itself uses, and
// prints the resolved project as JSON: schema, interpolation (e.g. a required variable that is
// missing) and port syntax are checked exactly as `docker compose config` would, without a Docker
// engine. Exit 1 with one line when the file is invalid.
//
//	go run ./tools/compose-check docker-compose.yml
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithOsEnv, cli.WithName("dhrgraph"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid:", err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid:", err)
		os.Exit(1)
	}
	out, err := json.Marshal(project)
	if err != nil {
		fmt.Fprintln(os.Stderr, "invalid:", err)
		os.Exit(1)
	}
	fmt.Println(string(out))
}
