//! `billingctl render`: the resolved desired state as stable JSON.

use serde_json::{json, Map, Value};

use crate::catalog::Catalog;
use crate::cli::ScriptArgs;
use crate::kinds::ObjectKind;
use crate::ExitStatus;

pub fn execute(args: ScriptArgs) -> anyhow::Result<ExitStatus> {
    match crate::script::evaluate(&args.script, &args.env) {
        Ok(catalog) => {
            super::stdout::line(&serde_json::to_string_pretty(&to_json(&catalog))?);
            Ok(ExitStatus::Success)
        }
        Err(diags) => super::check::report(&args, &diags),
    }
}

/// The catalog as JSON: environment, scope, then every kind (apply order) with its objects
/// in declaration order.
pub fn to_json(catalog: &Catalog) -> Value {
    let mut objects = Map::new();
    for kind in ObjectKind::ALL {
        let list: Vec<Value> = catalog
            .of_kind(kind)
            .map(|d| {
                let mut o = Map::new();
                o.insert("key".into(), d.key().into());
                o.insert("declared_at".into(), d.declared_at().to_string().into());
                if let Some(id) = d.adopt_id() {
                    o.insert("adopt".into(), id.into());
                }
                o.insert("params".into(), Value::Object(d.params().into_owned()));
                Value::Object(o)
            })
            .collect();
        objects.insert(kind.name().into(), Value::Array(list));
    }
    json!({
        "environment": catalog.environment,
        "scope": catalog.scope,
        "objects": objects,
    })
}
