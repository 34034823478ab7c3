//! Known gaps: dimensions of the generator that find a bug not fixed yet. The generator
//! does not produce a change of a dimension listed here, so the CI run stays green while the
//! planner is being fixed; each line names the gap and where its minimal reproduction is
//! written down (BENCHMARKS.md, "Property test"). Remove a line once its fix lands: the
//! property then holds the fix for good.
//!
//! `BILLINGCTL_PROPERTY_GAPS=include` generates these dimensions anyway (to check a fix
//! before removing its line); `BILLINGCTL_PROPERTY_GAPS=dim1,dim2` includes only those.

/// `(dimension, why it is excluded)`.
pub const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Which dimensions the generator may produce.
#[derive(Clone, Debug)]
pub struct Gaps {
    included: Included,
}

#[derive(Clone, Debug)]
enum Included {
    /// Every known gap stays excluded (CI).
    None,
    /// Every known gap is generated too.
    All,
    /// Only these known gaps are generated.
    Some(Vec<String>),
}

impl Gaps {
    /// From `BILLINGCTL_PROPERTY_GAPS` (unset: exclude every known gap).
    pub fn from_env() -> Self {
        let included = match std::env::var("BILLINGCTL_PROPERTY_GAPS").ok().as_deref() {
            None | Some("") | Some("exclude") => Included::None,
            Some("include") | Some("all") => Included::All,
            Some(list) => Included::Some(list.split(',').map(str::to_owned).collect()),
        };
        Gaps { included }
    }

    /// Whether the generator may produce a change of `dimension`.
    pub fn allows(&self, dimension: &str) -> bool {
        let known = KNOWN_GAPS.iter().any(|(d, _)| *d == dimension);
        match &self.included {
            _ if !known => true,
            Included::None => false,
            Included::All => true,
            Included::Some(list) => list.iter().any(|d| d == dimension),
        }
    }

    pub fn describe(&self) -> String {
        match &self.included {
            Included::None => format!("{} known gaps excluded", KNOWN_GAPS.len()),
            Included::All => "known gaps included".into(),
            Included::Some(list) => format!("known gaps included: {}", list.join(",")),
        }
    }
}
