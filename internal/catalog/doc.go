// Package catalog is the shared food catalogue: the USDA SR26 foods shipped
// inside the binary, their import into the foods and food_portions tables,
// and food search.
//
//   - ConvertSR and Encode turn the SR26 files into the compact data file
//     internal/catalog/data/usda-sr26.json.gz (cmd/convert);
//   - Import and EnsureLoaded put the embedded file into the database;
//   - Search answers the foods(search:) connection.
//
// docs/foods.md describes the data file, the import and the search ranking.
package catalog
