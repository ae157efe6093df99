package jobs

import "context"

type deliveryKey struct{}

// WithDelivery returns ctx carrying a webhook delivery id (X-GitHub-Delivery): jobs enqueued
// with it record the id in their metadata, and every run of them logs it.
func WithDelivery(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, deliveryKey{}, id)
}

// DeliveryFrom returns the delivery id WithDelivery put in ctx.
func DeliveryFrom(ctx context.Context) string {
	s, _ := ctx.Value(deliveryKey{}).(string)
	return s
}
