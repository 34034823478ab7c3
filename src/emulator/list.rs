//! List endpoints: `limit` (1–100, default 10), `starting_after` / `ending_before` cursors
//! (object ids, mutually exclusive), newest first, `has_more`, `url`, and the kind's filters.
//! Objects are kept in creation order, so a page is a walk from the cursor's position: a page
//! costs O(limit) without a filter, and a filter backed by an index (`lookup_keys[]`, a price's
//! `product`, a promotion code's `code`) only visits its candidates.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::error::ErrorResponse;
use super::objects::{self, Context, Filter};
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
    /// Splits the query into paging params and the kind's filters; any other name is unknown.
    pub fn parse(
        kind: ObjectKind,
        query: Map<String, Value>,
    ) -> Result<ListRequest, ErrorResponse> {
        Self::parse_with(kind.table().list_filters, query)
    }

    /// The same, for a list whose filters are `filters` (Connect's accounts, not a kind).
    pub fn parse_with(
        filters: &[&str],
        query: Map<String, Value>,
    ) -> Result<ListRequest, ErrorResponse> {
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
                _ if filters.contains(&name.as_str()) => {
                    request.filters.insert(name, value);
                }
                _ => return Err(ErrorResponse::unknown_param(&name)),
            }
        }
        if request.starting_after.is_some() && request.ending_before.is_some() {
            return Err(ErrorResponse::param(
                "ending_before",
                "You may only specify one of these parameters: ending_before, starting_after."
                    .to_owned(),
            ));
        }
        Ok(request)
    }
}

fn parse_limit(value: &Value) -> Result<usize, ErrorResponse> {
    let text = value.as_str().unwrap_or_default();
    let limit: i64 = text
        .parse()
        .map_err(|_| ErrorResponse::param("limit", format!("Invalid integer: {text}")))?;
    if limit < 1 {
        return Err(ErrorResponse::param(
            "limit",
            "This value must be greater than or equal to 1.".to_owned(),
        ));
    }
    if limit > MAX_LIMIT {
        return Err(ErrorResponse::param(
            "limit",
            format!("This value must be less than or equal to {MAX_LIMIT}."),
        ));
    }
    Ok(limit as usize)
}

fn cursor(name: &str, value: &Value) -> Result<String, ErrorResponse> {
    match value.as_str() {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(ErrorResponse::param(
            name,
            format!("Invalid {name}: expected an object id"),
        )),
    }
}

/// `expand[]=a&expand[]=b` (an array) or `expand=a`.
pub(crate) fn expansions(value: &Value) -> Result<Vec<String>, ErrorResponse> {
    match value {
        Value::String(one) => Ok(vec![one.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ErrorResponse::param("expand", "Invalid array".to_owned()))
            })
            .collect(),
        Value::Object(map) => Ok(map
            .values()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()),
        _ => Err(ErrorResponse::param("expand", "Invalid array".to_owned())),
    }
}

/// One page, newest first, rendered, as Stripe's list object.
pub(crate) fn page(
    cx: &Context,
    kind: ObjectKind,
    request: &ListRequest,
) -> Result<Value, ErrorResponse> {
    let filter = objects::filter(cx, kind, &request.filters)?;
    let (objects, has_more) = select(cx, kind, request, &filter)?;
    let data: Vec<Value> = objects
        .iter()
        .map(|object| (*objects::render(cx, kind, object, &request.expand)).clone())
        .collect();
    Ok(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": kind.table().path,
    }))
}

fn select(
    cx: &Context,
    kind: ObjectKind,
    request: &ListRequest,
    filter: &Filter,
) -> Result<(Vec<Arc<Value>>, bool), ErrorResponse> {
    let store = &*cx.store;
    let indexed = filter.candidates.as_deref();
    let count = indexed.map_or(store.len(kind), <[usize]>::len);
    let position_of = |i: usize| indexed.map_or(i, |candidates| candidates[i]);
    // Where in candidate space the cursor sits: candidates below the split are older than it.
    let locate = |param: &str, id: &str, inclusive: bool| -> Result<usize, ErrorResponse> {
        let at = store.position(kind, id).ok_or_else(|| {
            ErrorResponse::no_such(objects::resource(kind).noun(), id, param, 400)
        })?;
        Ok(match indexed {
            Some(candidates) => {
                candidates.partition_point(|&c| if inclusive { c <= at } else { c < at })
            }
            None if inclusive => at + 1,
            None => at,
        })
    };
    walk(
        request,
        count,
        |i| store.at(kind, position_of(i)),
        |object| filter.matches(object) && objects::within(cx, kind, object),
        locate,
    )
}

/// One page over `count` candidates in creation order (`at(i)`, 0 = oldest), newest first
/// from the cursor, keeping the objects `keep` accepts. `locate(param, id, inclusive)` is
/// where a cursor's object splits the candidates (those below are older): what the
/// `ending_before` (inclusive) and `starting_after` cursors start from.
pub(crate) fn walk<'a>(
    request: &ListRequest,
    count: usize,
    at: impl Fn(usize) -> Option<&'a Arc<Value>>,
    keep: impl Fn(&Value) -> bool,
    locate: impl Fn(&str, &str, bool) -> Result<usize, ErrorResponse>,
) -> Result<(Vec<Arc<Value>>, bool), ErrorResponse> {
    let mut found = Vec::with_capacity(request.limit);
    let mut has_more = false;
    let mut take = |i: usize, found: &mut Vec<Arc<Value>>| -> bool {
        let Some(object) = at(i) else {
            return true;
        };
        if !keep(object) {
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
