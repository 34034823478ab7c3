//! The generator's picture of the script: the objects it declares, as the params a script
//! writes, and the changes a step makes to the script or (out of band) to the account.
//! `Model::render` writes the script as Rhai.

use billingctl::kinds::ObjectKind;
use serde_json::{Map, Value};

/// One declared object: `kind("key", #{ params })`.
#[derive(Clone, Debug)]
pub struct Obj {
    pub kind: ObjectKind,
    pub key: String,
    pub params: Map<String, Value>,
}

impl Obj {
    pub fn new(kind: ObjectKind, key: impl Into<String>, params: Value) -> Self {
        let Value::Object(params) = params else {
            panic!("params are an object")
        };
        Obj {
            kind,
            key: key.into(),
            params,
        }
    }

    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(self.params.get(*first)?, |value, segment| {
                value.get(segment)
            })
    }

    pub fn is_active(&self) -> bool {
        self.params.get("active") != Some(&Value::Bool(false))
    }

    pub fn str(&self, field: &str) -> Option<&str> {
        self.params.get(field).and_then(Value::as_str)
    }

    pub fn int(&self, field: &str) -> Option<i64> {
        self.params.get(field).and_then(Value::as_i64)
    }
}

/// What a step does. Script changes edit the model; out-of-band changes are POSTs straight
/// to the emulator, as the Dashboard would make them, between two runs.
#[derive(Clone, Debug)]
pub enum Change {
    /// Declare a new object.
    Add(Obj),
    /// Set (or, with `None`, remove) a field of a declared object: `path` is the field's
    /// segments, e.g. `["metadata", "k1"]`.
    Set {
        kind: ObjectKind,
        key: String,
        path: Vec<String>,
        value: Option<Value>,
    },
    /// POST these params to the live object of `kind` and `key`.
    OutOfBand {
        kind: ObjectKind,
        key: String,
        params: Value,
    },
    /// Create an object of `kind` in the Dashboard (before the script declares it).
    Dashboard { kind: ObjectKind, params: Value },
}

/// A change with the dimension it exercises (what `KNOWN_GAPS` excludes) and whether Stripe
/// refuses it, so the plan must report an error.
#[derive(Clone, Debug)]
pub struct Tagged {
    pub dimension: &'static str,
    pub change: Change,
    pub invalid: bool,
}

impl Tagged {
    pub fn describe(&self) -> String {
        let what = match &self.change {
            Change::Add(obj) => format!(
                "add {} `{}` {}",
                obj.kind,
                obj.key,
                Value::Object(obj.params.clone())
            ),
            Change::Set {
                kind,
                key,
                path,
                value: Some(value),
            } => format!("script: {kind} `{key}` {} = {value}", path.join(".")),
            Change::Set {
                kind, key, path, ..
            } => format!("script: {kind} `{key}` remove {}", path.join(".")),
            Change::OutOfBand { kind, key, params } => {
                format!("out of band: POST {kind} `{key}` {params}")
            }
            Change::Dashboard { kind, params } => {
                format!("out of band: create {kind} {params}")
            }
        };
        let invalid = if self.invalid {
            " (Stripe refuses this: the plan must say so)"
        } else {
            ""
        };
        format!("[{}] {what}{invalid}", self.dimension)
    }
}

/// The declared objects, in declaration order.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub objects: Vec<Obj>,
}

impl Model {
    pub fn find(&self, kind: ObjectKind, key: &str) -> Option<&Obj> {
        self.objects.iter().find(|o| o.kind == kind && o.key == key)
    }

    fn find_mut(&mut self, kind: ObjectKind, key: &str) -> Option<&mut Obj> {
        self.objects
            .iter_mut()
            .find(|o| o.kind == kind && o.key == key)
    }

    pub fn of(&self, kind: ObjectKind) -> impl Iterator<Item = &Obj> {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    /// Applies a script change (an out-of-band one leaves the script alone). A change to an
    /// object the model does not hold (after shrinking) does nothing.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Add(obj) => {
                if self.find(obj.kind, &obj.key).is_none() {
                    self.objects.push(obj.clone());
                }
            }
            Change::Set {
                kind,
                key,
                path,
                value,
            } => {
                if let Some(obj) = self.find_mut(*kind, key) {
                    set_path(&mut obj.params, path, value.clone());
                }
            }
            Change::OutOfBand { .. } | Change::Dashboard { .. } => {}
        }
    }

    /// The script: one declaration per object, products first (references are by key, so
    /// the order is only for the reader).
    pub fn render(&self) -> String {
        let mut out = String::from("// Generated by the property test (tests/it/property).\n");
        for kind in ObjectKind::ALL {
            for obj in self.of(kind) {
                let function = match kind {
                    ObjectKind::PortalConfiguration => "portal",
                    other => other.name(),
                };
                out.push_str(&format!(
                    "{function}({}, {});\n",
                    quote(&obj.key),
                    rhai(&Value::Object(obj.params.clone()))
                ));
            }
        }
        out
    }
}

fn set_path(params: &mut Map<String, Value>, path: &[String], value: Option<Value>) {
    let (last, parents) = path.split_last().expect("a path has a segment");
    let mut map = params;
    for segment in parents {
        let entry = map
            .entry(segment.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        map = entry.as_object_mut().expect("an object");
    }
    match value {
        Some(value) => {
            map.insert(last.clone(), value);
        }
        None => {
            map.shift_remove(last);
        }
    }
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// A JSON value as a Rhai literal: maps as `#{ "k": v }`, floats with their fraction.
fn rhai(value: &Value) -> String {
    match value {
        Value::Null => "()".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(rhai).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", quote(k), rhai(v)))
                .collect();
            format!("#{{ {} }}", fields.join(", "))
        }
    }
}
