package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/google/uuid"

	"nutrigraph/internal/gid"
)

// BillingAccount is the payment-provider side of a user's plan; 1:1 with User.
type BillingAccount struct{ ent.Schema }

// Mixin of BillingAccount.
func (BillingAccount) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.BillingAccount}, SoftDeleteMixin{}}
}

// Fields of BillingAccount.
func (BillingAccount) Fields() []ent.Field {
	return []ent.Field{
		ownerField(),
		field.Enum("plan").Values("FREE", "PREMIUM").Default("PREMIUM"),
		field.Enum("status").Values("TRIALING", "ACTIVE", "PAST_DUE", "CANCELED").Default("TRIALING"),
		field.Time("trial_ends_at").Optional().Nillable(),
		field.Time("current_period_end").Optional().Nillable(),
		field.String("provider_customer_id").MaxLen(255).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("provider_subscription_id").MaxLen(255).Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of BillingAccount.
func (BillingAccount) Edges() []ent.Edge {
	return []ent.Edge{
		ownerEdge("billing_account"),
		edge.To("events", BillingEvent.Type).
			Annotations(setNull(), entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of BillingAccount.
func (BillingAccount) Indexes() []ent.Index {
	return []ent.Index{
		// viewer { billingAccount }, plan checks: WHERE user_id = $1; one live account per user.
		index.Fields("user_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// Webhook lookup of the account a provider event names: WHERE provider_customer_id = $1.
		index.Fields("provider_customer_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
	}
}

// BillingEvent is an event received from the payment provider, kept for
// idempotency (one row per provider event id) and audit.
type BillingEvent struct{ ent.Schema }

// Mixin of BillingEvent.
func (BillingEvent) Mixin() []ent.Mixin {
	return []ent.Mixin{BaseMixin{Code: gid.BillingEvent}, SoftDeleteMixin{}}
}

// Fields of BillingEvent.
func (BillingEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("event_id").MaxLen(255).NotEmpty().Immutable().
			Comment("The provider's event id: an event is applied once"),
		field.String("type").MaxLen(100).NotEmpty().Immutable(),
		field.String("account_ref").MaxLen(255).Immutable().
			Comment("The account reference the event carried"),
		field.UUID("billing_account_id", uuid.UUID{}).Optional().Nillable().
			Comment("The account the reference resolved to, if any"),
		field.Time("occurred_at").Immutable().Comment("The event's own timestamp"),
		field.Enum("outcome").Values("APPLIED", "REJECTED").
			Comment("REJECTED: unknown account or impossible transition"),
		field.String("detail").MaxLen(1000).Optional(),
		field.Bytes("payload").Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of BillingEvent.
func (BillingEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("billing_account", BillingAccount.Type).
			Ref("events").
			Field("billing_account_id").
			Unique(),
	}
}

// Indexes of BillingEvent.
func (BillingEvent) Indexes() []ent.Index {
	return []ent.Index{
		// Idempotency check of the webhook: WHERE event_id = $1.
		index.Fields("event_id").Unique().Annotations(entsql.IndexWhere(liveOnly)),
		// An account's event history: WHERE billing_account_id = $1 ORDER BY created_at.
		index.Fields("billing_account_id", "created_at"),
	}
}

// Policy of BillingAccount.
func (BillingAccount) Policy() ent.Policy { return ownedPolicy() }

// Policy of BillingEvent.
func (BillingEvent) Policy() ent.Policy { return systemOnlyPolicy() }
