package scenarios

import (
	"context"
	"fmt"

	"github.com/replscope/replscope/internal/dataset"
)

// Dataset reads node name's whole dataset (see internal/dataset).
func (c *Cluster) Dataset(ctx context.Context, name string) (dataset.Dataset, error) {
	cl, done, err := c.dial(ctx, name)
	if err != nil {
		return dataset.Dataset{}, err
	}
	defer done()
	d, err := dataset.Read(cl)
	if err != nil {
		return dataset.Dataset{}, fmt.Errorf("dataset of %s: %w", name, err)
	}
	return d, nil
}
