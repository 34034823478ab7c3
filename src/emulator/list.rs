//! List endpoints: `limit` (1–100, default 10), `starting_after` / `ending_before` cursors
//! (object ids, mutually exclusive), newest first, `has_more`, `url`, and the kind's filters.
//! Objects are kept in creation order, so a page is a walk from the cursor's position: a page
//! costs O(limit) without a filter, and a filter backed by an index (`lookup_keys[]`, a price's
//! `product`, a promotion code's `code`) only visits its candidates.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::objects::{self, Filter};
use super::store::Account;
use crate::kinds::ObjectKind;

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: i64 = 100;

/// A parsed list request.
#[derive(Debug)]
pub(crate) struct ListRequest {
    pub limit: usize,
    pub starting_after: Option<String>,
    pub ending_before: Option<String>,
    /// Expansions relative to each listed object (`data.` stripped).
    pub expand: Vec<String>,
    pub filters: Map<String, Value>,
}

impl ListRequest {
    /// Splits the query into paging params and filters; any other name is unknown.
    pub fn parse(kind: ObjectKind, query: Map<String, Value>) -> Result<ListRequest, ApiError> {
        let mut request = ListRequest {
            limit: DEFAULT_LIMIT,
            starting_after: None,
            ending_before: None,
            expand: Vec::new(),
            filters: Map::new(),
        };
        for (name, value) in query {
            match name.as_str() {
                "limit" => request.limit = parse_limit(&value)?,
                "starting_after" => request.starting_after = Some(cursor(&name, &value)?),
                "ending_before" => request.ending_before = Some(cursor(&name, &value)?),
                "expand" => {
                    request.expand = expansions(&value)?
                        .into_iter()
                        .map(|e| e.strip_prefix("data.").map(str::to_owned).unwrap_or(e))
                        .collect();
                }
                _ if kind.table().list_filters.contains(&name.as_str()) => {
                    request.filters.insert(name, value);
                }
                _ => return Err(ApiError::unknown_param(&name)),
            }
        }
        if request.starting_after.is_some() && request.ending_before.is_some() {
            return Err(ApiError::param(
                "ending_before",
                "You may only specify one of these parameters: ending_before, starting_after."
                    .to_owned(),
            ));
        }
        Ok(request)
    }
}

fn parse_limit(value: &Value) -> Result<usize, ApiError> {
    let text = value.as_str().unwrap_or_default();
    let limit: i64 = text
        .parse()
        .map_err(|_| ApiError::param("limit", format!("Invalid integer: {text}")))?;
    if limit < 1 {
        return Err(ApiError::param(
            "limit",
            "This value must be greater than or equal to 1.".to_owned(),
        ));
    }
    if limit > MAX_LIMIT {
        return Err(ApiError::param(
            "limit",
            format!("This value must be less than or equal to {MAX_LIMIT}."),
        ));
    }
    Ok(limit as usize)
}

fn cursor(name: &str, value: &Value) -> Result<String, ApiError> {
    match value.as_str() {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(ApiError::param(
            name,
            format!("Invalid {name}: expected an object id"),
        )),
    }
}

/// `expand[]=a&expand[]=b` (an array) or `expand=a`.
pub(crate) fn expansions(value: &Value) -> Result<Vec<String>, ApiError> {
    match value {
        Value::String(one) => Ok(vec![one.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::param("expand", "Invalid array".to_owned()))
            })
            .collect(),
        Value::Object(map) => Ok(map
            .values()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()),
        _ => Err(ApiError::param("expand", "Invalid array".to_owned())),
    }
}

/// One page, newest first, rendered, as Stripe's list object.
pub(crate) fn page(
    account: &Account,
    kind: ObjectKind,
    request: &ListRequest,
) -> Result<Value, ApiError> {
    let filter = objects::filter(account, kind, &request.filters)?;
    let (objects, has_more) = select(account, kind, request, &filter)?;
    let data: Vec<Value> = objects
        .iter()
        .map(|object| (*objects::render(account, kind, object, &request.expand)).clone())
        .collect();
    Ok(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": kind.table().path,
    }))
}

fn select(
    account: &Account,
    kind: ObjectKind,
    request: &ListRequest,
    filter: &Filter,
) -> Result<(Vec<Arc<Value>>, bool), ApiError> {
    let all: Vec<usize>;
    let candidates: &[usize] = match &filter.candidates {
        Some(candidates) => candidates,
        None => {
            all = Vec::new();
            &all
        }
    };
    let indexed = filter.candidates.is_some();
    let count = if indexed {
        candidates.len()
    } else {
        account.len(kind)
    };
    let position_of = |i: usize| if indexed { candidates[i] } else { i };
    // Where in candidate space the cursor sits: candidates below `split` are older than it.
    let locate = |param: &str, id: &str, inclusive: bool| -> Result<usize, ApiError> {
        let at = account
            .position(kind, id)
            .ok_or_else(|| ApiError::no_such(objects::noun(kind), id, param, 400))?;
        Ok(if indexed {
            candidates.partition_point(|&c| if inclusive { c <= at } else { c < at })
        } else if inclusive {
            at + 1
        } else {
            at
        })
    };
    let mut found = Vec::with_capacity(request.limit);
    let mut has_more = false;
    let mut take = |i: usize, found: &mut Vec<Arc<Value>>| -> bool {
        let Some(object) = account.at(kind, position_of(i)) else {
            return true;
        };
        if !filter.matches(object) {
            return true;
        }
        if found.len() == request.limit {
            has_more = true;
            return false;
        }
        found.push(object.clone());
        true
    };
    if let Some(id) = &request.ending_before {
        let from = locate("ending_before", id, true)?;
        for i in from..count {
            if !take(i, &mut found) {
                break;
            }
        }
        found.reverse();
    } else {
        let upto = match &request.starting_after {
            Some(id) => locate("starting_after", id, false)?,
            None => count,
        };
        for i in (0..upto).rev() {
            if !take(i, &mut found) {
                break;
            }
        }
    }
    Ok((found, has_more))
}
