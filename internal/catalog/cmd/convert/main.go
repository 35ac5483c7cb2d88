// Command convert turns the USDA SR26 files into the catalogue data file
// that nutrigraph embeds (see docs/foods.md):
//
//	go run ./internal/catalog/cmd/convert \
//	    -src ../shared/data/usda-sr -version 1 \
//	    -out internal/catalog/data/usda-sr26.json.gz
//
// Raise -version whenever the content changes, so that installed
// catalogues are updated in place (and catalog.DataVersion with it).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"nutrigraph/internal/catalog"
)

func main() {
	src := flag.String("src", "../shared/data/usda-sr", "folder of the SR26 files (FOOD_DES.txt, FD_GROUP.txt, ABBREV.txt, WEIGHT.txt)")
	out := flag.String("out", "internal/catalog/data/usda-sr26.json.gz", "data file to write")
	version := flag.Int("version", catalog.DataVersion, "data version written into the file")
	flag.Parse()
	if err := run(*src, *out, *version); err != nil {
		fmt.Fprintln(os.Stderr, "convert:", err)
		os.Exit(1)
	}
}

func run(src, out string, version int) error {
	d, err := catalog.ConvertSR(src, version)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := catalog.Encode(&buf, d); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	portions := 0
	for _, f := range d.Foods {
		portions += len(f.Portions)
	}
	fmt.Printf("%s: %d foods, %d portions, %d food groups, data version %d, %d bytes\n",
		out, len(d.Foods), portions, len(d.Groups), d.Version, buf.Len())
	return nil
}
