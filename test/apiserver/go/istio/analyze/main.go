// Command analyze runs Istio's configuration analyzers (the ones `istioctl analyze`
// runs) on many inputs in one process, the way Istio's own analyzer tests load files:
// `local.NewIstiodAnalyzer` with `AddTestReaderKubeSource`, which keeps the runtime kinds
// (Namespace, Service, Pod, Secret, ...) that `istioctl analyze --use-kube=false` drops, so
// the injection, webhook, gateway and destination-host analyzers run too.
//
// It reads one JSON document from stdin, {"cases": [{"name", "meshConfig", "objects"}]},
// where meshConfig is the `mesh` key of istiod's ConfigMap and objects is multi-document
// YAML, and writes {"version", "results": [{"name", "messages", "skipped", "error"}]} to
// stdout. Go's start-up and Istio's schema loading are paid once, not once per case.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/version"
)

type analysisCase struct {
	Name string `json:"name"`
	// The `mesh` key of the rendered istio-<revision> ConfigMap; empty for Istio's defaults.
	MeshConfig string `json:"meshConfig"`
	// Every object of the case as multi-document YAML.
	Objects string `json:"objects"`
}

type message struct {
	Code  string `json:"code"`
	Level string `json:"level"`
	// `Kind namespace/name` of the resource the message is about; empty when it names none.
	Resource string `json:"resource"`
	Message  string `json:"message"`
}

type result struct {
	Name     string    `json:"name"`
	Messages []message `json:"messages"`
	// Analyzers skipped for want of an input kind: none should be, since every kind is loaded.
	Skipped []string `json:"skipped"`
	Error   string   `json:"error,omitempty"`
}

func main() {
	// Istio's loggers write to stdout by default, where the JSON goes: send them to stderr,
	// which the caller shows only on a failure.
	logging := log.DefaultOptions()
	logging.OutputPaths = []string{"stderr"}
	logging.ErrorOutputPaths = []string{"stderr"}
	if err := log.Configure(logging); err != nil {
		fmt.Fprintf(os.Stderr, "analyze: configuring Istio's logs: %v\n", err)
		os.Exit(2)
	}
	var input struct {
		Cases []analysisCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fmt.Fprintf(os.Stderr, "analyze: reading the cases from stdin: %v\n", err)
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "istio-analyze-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "analyze: %v\n", err)
		os.Exit(2)
	}
	defer os.RemoveAll(dir)
	results := make([]result, 0, len(input.Cases))
	for i, c := range input.Cases {
		results = append(results, analyze(c, filepath.Join(dir, fmt.Sprintf("mesh-%d.yaml", i))))
	}
	out := struct {
		Version string   `json:"version"`
		Results []result `json:"results"`
	}{version.Info.Version, results}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "analyze: %v\n", err)
		os.Exit(2)
	}
}

// analyze runs every analyzer on one case; a case that cannot be loaded reports its error.
func analyze(c analysisCase, meshFile string) result {
	r := result{Name: c.Name, Messages: []message{}, Skipped: []string{}}
	// No namespace filter, and istio-system as the root namespace, as the mesh config says.
	sa := local.NewIstiodAnalyzer(analyzers.AllCombined(), "", "istio-system", nil)
	if c.MeshConfig != "" {
		// The analyzer reads mesh config only from a file; it applies Istio's defaults under it.
		if err := os.WriteFile(meshFile, []byte(c.MeshConfig), 0o600); err != nil {
			r.Error = err.Error()
			return r
		}
		if err := sa.AddFileKubeMeshConfig(meshFile); err != nil {
			r.Error = fmt.Sprintf("mesh config: %v", err)
			return r
		}
	}
	source := local.ReaderSource{Name: c.Name, Reader: strings.NewReader(c.Objects)}
	if err := sa.AddTestReaderKubeSource([]local.ReaderSource{source}); err != nil {
		r.Error = fmt.Sprintf("objects: %v", err)
		return r
	}
	cancel := make(chan struct{})
	defer close(cancel)
	analysis, err := sa.Analyze(cancel)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Skipped = append(r.Skipped, analysis.SkippedAnalyzers...)
	sort.Strings(r.Skipped)
	for _, m := range analysis.Messages {
		resource := ""
		if m.Resource != nil {
			resource = m.Resource.Origin.FriendlyName()
		}
		r.Messages = append(r.Messages, message{
			Code:     m.Type.Code(),
			Level:    m.Type.Level().String(),
			Resource: resource,
			Message:  fmt.Sprintf(m.Type.Template(), m.Parameters...),
		})
	}
	return r
}
