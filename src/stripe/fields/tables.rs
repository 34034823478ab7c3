//! The tables themselves, one `static` per object.

use super::{ObjectKind, ObjectTable};

pub(super) fn table(kind: ObjectKind) -> &'static ObjectTable {
    match kind {
        ObjectKind::Product => &PRODUCT,
        ObjectKind::Price => &PRICE,
        ObjectKind::Coupon => &COUPON,
        ObjectKind::PromotionCode => &PROMOTION_CODE,
        ObjectKind::PortalConfiguration => &PORTAL_CONFIGURATION,
    }
}

// Filled in by the emulator work (issue 2); the shapes below are placeholders with no params.
static PRODUCT: ObjectTable = ObjectTable {
    kind: ObjectKind::Product,
    object: "product",
    path: "/v1/products",
    id_prefix: "prod_",
    custom_id: true,
    deletable: true,
    list_filters: &[],
    params: &[],
};
static PRICE: ObjectTable = ObjectTable {
    kind: ObjectKind::Price,
    object: "price",
    path: "/v1/prices",
    id_prefix: "price_",
    custom_id: false,
    deletable: false,
    list_filters: &[],
    params: &[],
};
static COUPON: ObjectTable = ObjectTable {
    kind: ObjectKind::Coupon,
    object: "coupon",
    path: "/v1/coupons",
    id_prefix: "",
    custom_id: true,
    deletable: true,
    list_filters: &[],
    params: &[],
};
static PROMOTION_CODE: ObjectTable = ObjectTable {
    kind: ObjectKind::PromotionCode,
    object: "promotion_code",
    path: "/v1/promotion_codes",
    id_prefix: "promo_",
    custom_id: false,
    deletable: false,
    list_filters: &[],
    params: &[],
};
static PORTAL_CONFIGURATION: ObjectTable = ObjectTable {
    kind: ObjectKind::PortalConfiguration,
    object: "billing_portal.configuration",
    path: "/v1/billing_portal/configurations",
    id_prefix: "bpc_",
    custom_id: false,
    deletable: false,
    list_filters: &[],
    params: &[],
};
