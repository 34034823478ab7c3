//! The keys objects are matched and referenced by, one type per kind, so a price's `product`
//! cannot hold a coupon id by accident of the types. On the wire they are plain strings.

use serde::{Deserialize, Serialize};

macro_rules! key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(key: String) -> Self {
                Self(key)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

key!(
    /// A product's custom id.
    ProductKey
);
key!(
    /// A price's lookup key.
    LookupKey
);
key!(
    /// A coupon's custom id.
    CouponId
);
key!(
    /// A promotion code's customer-facing code (compared regardless of case).
    PromoCode
);
key!(
    /// The name a script gives a portal configuration (metadata `billingctl_key`).
    PortalKey
);
key!(
    /// The name a script gives a webhook endpoint (metadata `billingctl_key`).
    WebhookKey
);
key!(
    /// A billing meter's event name.
    EventName
);
key!(
    /// The name a script gives a tax rate (metadata `billingctl_key`).
    TaxRateKey
);
key!(
    /// The name a script gives a shipping rate (metadata `billingctl_key`).
    ShippingRateKey
);
key!(
    /// An entitlement feature's lookup key.
    FeatureKey
);
key!(
    /// The (parent, child) pair of an object declared in its parent (`PARENT/CHILD`: a
    /// product's id and a feature's lookup key).
    PairKey
);
