//! Connect: the connected accounts one catalog is applied to, and the values each gives the
//! script (`env.account`). Where the list comes from (flags, a file, an overlay's
//! `settings()`) is the caller's; this module owns what one entry is and how it is read.

use serde::Serialize;
use serde_json::{Map, Value};

/// A connected account a platform applies the catalog to: its id and the values the accounts
/// list gives it (`env.account.id`, `env.account.values`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ConnectedAccount {
    pub id: String,
    pub values: Map<String, Value>,
}

impl ConnectedAccount {
    /// An account with no values of its own.
    pub fn new(id: &str) -> Result<Self, String> {
        check_id(id)?;
        Ok(Self {
            id: id.to_owned(),
            values: Map::new(),
        })
    }

    /// One entry of a JSON list: `"acct_…"`, or `{ "id": "acct_…", "values": { … } }`.
    pub fn from_json(entry: &Value) -> Result<Self, String> {
        match entry {
            Value::String(id) => Self::new(id),
            Value::Object(fields) => {
                if let Some(unknown) = fields.keys().find(|k| *k != "id" && *k != "values") {
                    return Err(format!(
                        "unknown field `{unknown}` in an account entry (expected `id` and `values`)"
                    ));
                }
                let id = fields
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or("an account entry needs `id`: \"acct_…\"")?;
                let mut account = Self::new(id)?;
                match fields.get("values") {
                    None | Some(Value::Null) => {}
                    Some(Value::Object(values)) => account.values = values.clone(),
                    Some(_) => return Err(format!("account {id}: `values` must be a map")),
                }
                Ok(account)
            }
            _ => Err("an account entry is \"acct_…\" or { id, values }".to_owned()),
        }
    }

    /// An accounts file: JSON (a list of entries, see [`Self::from_json`]) when it starts
    /// with `[`, otherwise one id a line (blank lines and `#` comments ignored).
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        let accounts = if text.trim_start().starts_with('[') {
            let entries: Vec<Value> =
                serde_json::from_str(text).map_err(|e| format!("not a JSON list: {e}"))?;
            entries
                .iter()
                .enumerate()
                .map(|(i, entry)| {
                    Self::from_json(entry).map_err(|e| format!("entry {}: {e}", i + 1))
                })
                .collect::<Result<Vec<_>, _>>()?
        } else {
            text.lines()
                .enumerate()
                .map(|(i, line)| (i, line.split('#').next().unwrap_or("").trim()))
                .filter(|(_, line)| !line.is_empty())
                .map(|(i, id)| Self::new(id).map_err(|e| format!("line {}: {e}", i + 1)))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(accounts)
    }
}

/// Stripe's connected-account ids are `acct_` and letters or digits.
fn check_id(id: &str) -> Result<(), String> {
    let rest = id.strip_prefix("acct_").unwrap_or("");
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("`{id}` is not a connected account id (acct_…)"));
    }
    Ok(())
}

/// Joins lists of accounts, keeping the first of each id (a later duplicate is an error:
/// one account planned twice would be applied twice).
pub fn merge(
    lists: impl IntoIterator<Item = ConnectedAccount>,
) -> Result<Vec<ConnectedAccount>, String> {
    let mut all: Vec<ConnectedAccount> = Vec::new();
    for account in lists {
        if all.iter().any(|a| a.id == account.id) {
            return Err(format!("account {} is listed twice", account.id));
        }
        all.push(account);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_lines_or_json_with_values() {
        let lines = ConnectedAccount::parse_list("# fleet\nacct_1\n\n acct_2  # eu\n").unwrap();
        assert_eq!(
            lines.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["acct_1", "acct_2"]
        );
        let json = ConnectedAccount::parse_list(
            r#"["acct_1", {"id": "acct_2", "values": {"currency": "gbp"}}]"#,
        )
        .unwrap();
        assert!(json[0].values.is_empty());
        assert_eq!(json[1].values["currency"], "gbp");
    }

    #[test]
    fn the_example_accounts_files_parse() {
        let json = ConnectedAccount::parse_list(include_str!("../../examples/accounts.json"));
        let json = json.unwrap();
        assert_eq!(json.len(), 3);
        assert_eq!(json[2].values["currency"], "gbp");
        let lines = ConnectedAccount::parse_list(include_str!("../../examples/accounts.txt"));
        assert_eq!(lines.unwrap().len(), 2);
    }

    #[test]
    fn bad_entries_say_where() {
        let err = ConnectedAccount::parse_list("acct_1\nprod_2\n").unwrap_err();
        assert_eq!(
            err,
            "line 2: `prod_2` is not a connected account id (acct_…)"
        );
        let err = ConnectedAccount::parse_list(r#"[{"id": "acct_1", "vals": {}}]"#).unwrap_err();
        assert!(err.starts_with("entry 1: unknown field `vals`"), "{err}");
        let err = merge([
            ConnectedAccount::new("acct_1").unwrap(),
            ConnectedAccount::new("acct_1").unwrap(),
        ])
        .unwrap_err();
        assert_eq!(err, "account acct_1 is listed twice");
    }
}
