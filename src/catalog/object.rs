//! `Object`: a declaration of any kind, built from a script's map and validated.

use serde_json::Value;

use super::coupon::Coupon;
use super::declared::{Declared, Spec};
use super::parse::parse;
use super::portal::Portal;
use super::price::Price;
use super::product::Product;
use super::promotion_code::PromotionCode;
use super::validate::{self, Check};
use super::{Declaration, DeclaredAt};
use crate::diag::Diagnostic;
use crate::kinds::ObjectKind;

/// One typed declaration.
#[derive(Debug)]
pub enum Object {
    Product(Product),
    Price(Price),
    Coupon(Coupon),
    PromotionCode(PromotionCode),
    Portal(Portal),
}

impl Object {
    /// Builds the typed object from the script's fields (`adopt` already taken out).
    pub fn build(
        kind: ObjectKind,
        key: &str,
        at: &DeclaredAt,
        adopt: Option<String>,
        fields: Value,
    ) -> Result<Object, Box<Diagnostic>> {
        fn typed<S: Spec + serde::de::DeserializeOwned>(
            key: &str,
            at: &DeclaredAt,
            adopt: Option<String>,
            fields: Value,
        ) -> Result<Declared<S>, Box<Diagnostic>> {
            Ok(Declared {
                key: S::Key::from(key.to_owned()),
                declared_at: at.clone(),
                adopt,
                spec: parse(S::KIND, key, at, fields)?,
            })
        }
        Ok(match kind {
            ObjectKind::Product => Object::Product(typed(key, at, adopt, fields)?),
            ObjectKind::Price => Object::Price(typed(key, at, adopt, fields)?),
            ObjectKind::Coupon => Object::Coupon(typed(key, at, adopt, fields)?),
            ObjectKind::PromotionCode => Object::PromotionCode(typed(key, at, adopt, fields)?),
            ObjectKind::PortalConfiguration => Object::Portal(typed(key, at, adopt, fields)?),
        })
    }

    pub fn as_declaration(&self) -> &dyn Declaration {
        match self {
            Object::Product(o) => o,
            Object::Price(o) => o,
            Object::Coupon(o) => o,
            Object::PromotionCode(o) => o,
            Object::Portal(o) => o,
        }
    }

    pub fn into_declaration(self) -> Box<dyn Declaration> {
        match self {
            Object::Product(o) => Box::new(o),
            Object::Price(o) => Box::new(o),
            Object::Coupon(o) => Box::new(o),
            Object::PromotionCode(o) => Box::new(o),
            Object::Portal(o) => Box::new(o),
        }
    }

    /// Static validation of this object's values; errors go to `diags`.
    pub fn validate(&self, diags: &mut Vec<Diagnostic>) {
        let decl = self.as_declaration();
        let mut check = Check {
            kind: decl.kind(),
            key: decl.key(),
            at: decl.declared_at(),
            diags,
        };
        match self {
            Object::Product(o) => o.spec.validate(&mut check),
            Object::Price(o) => o.spec.validate(&mut check),
            Object::Coupon(o) => o.spec.validate(&mut check),
            Object::PromotionCode(o) => o.spec.validate(&mut check),
            Object::Portal(o) => o.spec.validate(&mut check),
        }
        if let Some(id) = decl.adopt_id() {
            let prefix = decl.kind().table().id_prefix;
            if !prefix.is_empty() && !id.starts_with(prefix) {
                check.error(
                    "adopt",
                    format!(
                        "`adopt` must be a {} id (`{prefix}…`), got \"{id}\"",
                        decl.kind()
                    ),
                );
            }
        }
        validate::enums(&mut check, &decl.to_params());
    }
}
