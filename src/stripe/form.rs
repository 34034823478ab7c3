//! Stripe's form encoding, both ways: `application/x-www-form-urlencoded` in bracket notation
//! (`metadata[plan]=pro`, `tiers[0][up_to]=inf`, `expand[0]=data.product`), as the client
//! sends request bodies and query strings and as a server (the emulator) reads them.
//!
//! A form carries no types: [`encode`] prints every leaf as text and [`decode`] returns every
//! leaf as a JSON string. Turning `"900"` back into an integer is the field table's job
//! (`crate::kinds::fields`), which knows what each param is.

use serde_json::{Map, Value};

/// The bounds a server puts on what it decodes, so that no request can exhaust its stack or
/// memory. Stripe states no figures (`shared/stripe-reference/` has none); Stripe's API is a
/// Rack application, so these are Rack 3's `QueryParser` defaults: `param_depth_limit` 32,
/// `params_limit` 4,096 and `bytesize_limit` 4 MiB.
pub const MAX_DEPTH: usize = 32;
/// The most `name=value` pairs one body or query string may hold.
pub const MAX_PARAMS: usize = 4096;
/// The largest body or query string, in bytes.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// A form body or query string a server cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The name of a pair is not `name` followed by `[segment]`s, e.g. `a[b` or `a[b]c`.
    #[error("malformed parameter name `{key}`: {reason}")]
    MalformedKey { key: String, reason: &'static str },
    /// Two pairs disagree on what a name is, e.g. `a=1&a[b]=2` (a value and a hash).
    #[error("parameter `{key}` is given both as {first} and as {second}")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
    /// A name nested deeper than [`MAX_DEPTH`] brackets (`a[a][a]…`).
    #[error("parameter `{key}` is nested {depth} levels deep; at most {MAX_DEPTH} are allowed")]
    TooDeep { key: String, depth: usize },
    /// More than [`MAX_PARAMS`] pairs.
    #[error("the request has more than {MAX_PARAMS} parameters")]
    TooManyParams,
    /// More than [`MAX_BYTES`] bytes.
    #[error("the request is {bytes} bytes long; at most {MAX_BYTES} are allowed")]
    TooLarge { bytes: usize },
}

/// Encodes params the way Stripe's SDKs do: nested objects as `a[b]=..`, arrays as
/// `a[0]=..` / `a[0][b]=..`, booleans as `true`/`false`, numbers as JSON prints them. Null,
/// an empty array and an empty object are sent as `a=`: Stripe's way to clear a field.
/// Pairs come out in the map's order; names keep their brackets readable, everything else
/// is percent-encoded.
pub fn encode(params: &Map<String, Value>) -> String {
    let mut out = String::new();
    for (name, value) in params {
        encode_value(&mut out, &escape(name), value);
    }
    out
}

fn encode_value(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => push_pair(out, name, ""),
        Value::Bool(flag) => push_pair(out, name, if *flag { "true" } else { "false" }),
        Value::Number(number) => push_pair(out, name, &number.to_string()),
        Value::String(text) => push_pair(out, name, &escape(text)),
        Value::Array(items) if items.is_empty() => push_pair(out, name, ""),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                encode_value(out, &format!("{name}[{index}]"), item);
            }
        }
        Value::Object(fields) if fields.is_empty() => push_pair(out, name, ""),
        Value::Object(fields) => {
            for (key, item) in fields {
                encode_value(out, &format!("{name}[{}]", escape(key)), item);
            }
        }
    }
}

/// Appends `name=value`; both are already escaped.
fn push_pair(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(name);
    out.push('=');
    out.push_str(value);
}

fn escape(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Decodes a form body or query string into nested params: `a[b]=1` → `{"a": {"b": "1"}}`;
/// `a[0]=x&a[1]=y` and `a[]=x&a[]=y` → `{"a": ["x", "y"]}`; `a=` → `""`. Every leaf is a
/// string. Indexed elements are ordered by index (gaps close up); a hash whose names are all
/// indices becomes an array. A name given twice keeps its last value, as Rack does.
///
/// Bounded by [`MAX_BYTES`], [`MAX_PARAMS`] and [`MAX_DEPTH`]: the recursion here and in every
/// walk over the result (param checks, fingerprints, drops) is then at most 33 deep.
pub fn decode(body: &str) -> Result<Map<String, Value>, FormError> {
    if body.len() > MAX_BYTES {
        return Err(FormError::TooLarge { bytes: body.len() });
    }
    let mut root = Map::new();
    for (count, (raw_name, value)) in form_urlencoded::parse(body.as_bytes()).enumerate() {
        if count >= MAX_PARAMS {
            return Err(FormError::TooManyParams);
        }
        if raw_name.is_empty() && value.is_empty() {
            continue;
        }
        let segments = parse_name(&raw_name)?;
        if segments.len() > MAX_DEPTH + 1 {
            return Err(FormError::TooDeep {
                key: shorten(&raw_name),
                depth: segments.len() - 1,
            });
        }
        insert(
            &mut root,
            &raw_name,
            &segments,
            Value::String(value.into_owned()),
        )?;
    }
    Ok(indices_to_arrays(root))
}

/// A name short enough to quote in an error (a 2,000-bracket name is not).
fn shorten(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &name[..at]),
        None => name.to_owned(),
    }
}

/// `a[b][]` → `["a", "b", ""]`, rejecting what is not a name followed by bracketed segments.
fn parse_name(name: &str) -> Result<Vec<&str>, FormError> {
    let malformed = |reason| FormError::MalformedKey {
        key: shorten(name),
        reason,
    };
    let (head, mut rest) = match name.find('[') {
        Some(at) => (&name[..at], &name[at..]),
        None => (name, ""),
    };
    if head.is_empty() {
        return Err(malformed("it has no name before its brackets"));
    }
    if head.contains(']') {
        return Err(malformed("`]` without `[`"));
    }
    let mut segments = vec![head];
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return Err(malformed("text after `]` must start a new `[...]`"));
        };
        let Some(close) = inner.find(']') else {
            return Err(malformed("unclosed `[`"));
        };
        let segment = &inner[..close];
        if segment.contains('[') {
            return Err(malformed("`[` inside brackets"));
        }
        segments.push(segment);
        rest = &inner[close + 1..];
    }
    Ok(segments)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "a hash",
        Value::Array(_) => "an array",
        _ => "a value",
    }
}

/// Puts `leaf` at `segments` under `map`, creating hashes and arrays on the way.
fn insert(
    map: &mut Map<String, Value>,
    name: &str,
    segments: &[&str],
    leaf: Value,
) -> Result<(), FormError> {
    let (first, rest) = segments.split_first().expect("a name has a segment");
    let Some((next, _)) = rest.split_first() else {
        if let Some(existing @ (Value::Object(_) | Value::Array(_))) = map.get(*first) {
            return Err(conflict(name, existing, &leaf));
        }
        map.insert((*first).to_owned(), leaf);
        return Ok(());
    };
    let wanted = if next.is_empty() {
        Value::Array(Vec::new())
    } else {
        Value::Object(Map::new())
    };
    let slot = map.entry((*first).to_owned()).or_insert(wanted.clone());
    match (slot, next.is_empty()) {
        (Value::Object(inner), false) => insert(inner, name, rest, leaf),
        (Value::Array(items), true) => append(items, name, &rest[1..], leaf),
        (existing, _) => Err(conflict(name, existing, &wanted)),
    }
}

/// `a[]=..` appends; `a[][b]=..` adds `b` to the last element unless it already has one, then
/// starts a new element (Rack's rule, so `a[][b]=1&a[][c]=2&a[][b]=3` is two elements).
fn append(items: &mut Vec<Value>, name: &str, rest: &[&str], leaf: Value) -> Result<(), FormError> {
    let Some((field, _)) = rest.split_first() else {
        items.push(leaf);
        return Ok(());
    };
    if field.is_empty() {
        return Err(FormError::MalformedKey {
            key: shorten(name),
            reason: "`[][]` (an array directly in an array) is not supported",
        });
    }
    if let Some(Value::Object(last)) = items.last_mut() {
        if !last.contains_key(*field) {
            return insert(last, name, rest, leaf);
        }
    }
    let mut fresh = Map::new();
    insert(&mut fresh, name, rest, leaf)?;
    items.push(Value::Object(fresh));
    Ok(())
}

fn conflict(name: &str, first: &Value, second: &Value) -> FormError {
    FormError::Conflict {
        key: shorten(name),
        first: kind(first),
        second: kind(second),
    }
}

/// Turns every hash whose names are all indices (`a[0]`, `a[1]`) into an array, in index
/// order, at any depth.
fn indices_to_arrays(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(key, value)| (key, normalise(value)))
        .collect()
}

fn normalise(value: Value) -> Value {
    match value {
        Value::Object(map) if !map.is_empty() && map.keys().all(|k| is_index(k)) => {
            let mut items: Vec<(usize, Value)> = map
                .into_iter()
                .map(|(key, item)| (key.parse().unwrap_or(usize::MAX), normalise(item)))
                .collect();
            items.sort_by_key(|(index, _)| *index);
            Value::Array(items.into_iter().map(|(_, item)| item).collect())
        }
        Value::Object(map) => Value::Object(indices_to_arrays(map)),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        leaf => leaf,
    }
}

/// An array index of the form: digits, at most nine of them (a bound on what one request
/// can make the parser allocate).
fn is_index(key: &str) -> bool {
    key.len() <= 9 && crate::path::is_index(key)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// What a server sees of a value after a round trip: text leaves, `""` for cleared ones.
    fn as_form_sees(value: &Value) -> Value {
        match value {
            Value::Null => json!(""),
            Value::Bool(flag) => json!(flag.to_string()),
            Value::Number(number) => json!(number.to_string()),
            Value::String(_) => value.clone(),
            Value::Array(items) if items.is_empty() => json!(""),
            Value::Array(items) => Value::Array(items.iter().map(as_form_sees).collect()),
            Value::Object(fields) if fields.is_empty() => json!(""),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), as_form_sees(v)))
                    .collect(),
            ),
        }
    }

    fn round_trip(value: Value) {
        let params = map(value.clone());
        let body = encode(&params);
        let back = decode(&body).unwrap_or_else(|err| panic!("{body}: {err}"));
        let expected: Map<String, Value> = params
            .iter()
            .map(|(k, v)| (k.clone(), as_form_sees(v)))
            .collect();
        assert_eq!(back, expected, "body: {body}");
    }

    #[test]
    fn encodes_stripe_examples() {
        assert_eq!(
            encode(&map(json!({"metadata": {"plan": "pro"}}))),
            "metadata[plan]=pro"
        );
        assert_eq!(
            encode(&map(
                json!({"tiers": [{"up_to": 1000, "unit_amount": 500}, {"up_to": "inf"}]})
            )),
            "tiers[0][up_to]=1000&tiers[0][unit_amount]=500&tiers[1][up_to]=inf"
        );
        assert_eq!(
            encode(&map(
                json!({"promotion": {"type": "coupon", "coupon": "launch_30"}})
            )),
            "promotion[type]=coupon&promotion[coupon]=launch_30"
        );
        assert_eq!(
            encode(&map(json!({"features": {"subscription_update": {
                "products": [{"product": "prod_x", "prices": ["price_x", "price_y"]}]}}}))),
            "features[subscription_update][products][0][product]=prod_x\
             &features[subscription_update][products][0][prices][0]=price_x\
             &features[subscription_update][products][0][prices][1]=price_y"
        );
        assert_eq!(
            encode(&map(
                json!({"active": false, "percent_off": 30.0, "shippable": true})
            )),
            "active=false&percent_off=30.0&shippable=true"
        );
    }

    #[test]
    fn encodes_clearing_as_empty_values() {
        assert_eq!(
            encode(&map(
                json!({"nickname": null, "images": [], "metadata": {}, "name": "X"})
            )),
            "nickname=&images=&metadata=&name=X"
        );
        assert_eq!(
            encode(&map(json!({"metadata": {"plan": ""}}))),
            "metadata[plan]="
        );
    }

    #[test]
    fn escapes_reserved_characters_and_unicode() {
        assert_eq!(
            encode(&map(
                json!({"name": "A&B=C+D 50%", "metadata": {"k y": "é€"}})
            )),
            "name=A%26B%3DC%2BD+50%25&metadata[k+y]=%C3%A9%E2%82%AC"
        );
    }

    #[test]
    fn decodes_stripe_examples() {
        assert_eq!(
            Value::Object(decode("metadata[plan]=pro&tiers[0][up_to]=inf").unwrap()),
            json!({"metadata": {"plan": "pro"}, "tiers": [{"up_to": "inf"}]})
        );
        assert_eq!(
            Value::Object(
                decode("features[subscription_update][products][0][prices][0]=price_x").unwrap()
            ),
            json!({"features": {"subscription_update": {"products": [{"prices": ["price_x"]}]}}})
        );
        assert_eq!(
            Value::Object(decode("promotion[type]=coupon&promotion[coupon]=c1&active=").unwrap()),
            json!({"promotion": {"type": "coupon", "coupon": "c1"}, "active": ""})
        );
    }

    #[test]
    fn decodes_percent_encoded_brackets_and_plus() {
        assert_eq!(
            Value::Object(decode("metadata%5Bplan%5D=a+b%2Bc%26d%3De").unwrap()),
            json!({"metadata": {"plan": "a b+c&d=e"}})
        );
    }

    #[test]
    fn decodes_query_string_arrays() {
        assert_eq!(
            Value::Object(
                decode("lookup_keys[]=a&lookup_keys[]=b&created[gte]=10&expand[0]=data.product")
                    .unwrap()
            ),
            json!({"lookup_keys": ["a", "b"], "created": {"gte": "10"},
                   "expand": ["data.product"]})
        );
    }

    #[test]
    fn decodes_indices_in_order_and_appended_objects() {
        assert_eq!(
            Value::Object(decode("a[10]=z&a[2]=y&a[0]=x").unwrap()),
            json!({"a": ["x", "y", "z"]})
        );
        assert_eq!(
            Value::Object(decode("t[][up_to]=1&t[][amount]=5&t[][up_to]=inf").unwrap()),
            json!({"t": [{"up_to": "1", "amount": "5"}, {"up_to": "inf"}]})
        );
        // Names that are not all indices stay a hash.
        assert_eq!(
            Value::Object(decode("m[0]=x&m[a]=y").unwrap()),
            json!({"m": {"0": "x", "a": "y"}})
        );
    }

    #[test]
    fn a_name_given_twice_keeps_its_last_value() {
        assert_eq!(Value::Object(decode("a=1&a=2").unwrap()), json!({"a": "2"}));
    }

    #[test]
    fn empty_body_and_empty_pairs_decode_to_nothing() {
        assert!(decode("").unwrap().is_empty());
        assert_eq!(Value::Object(decode("&a=1&&").unwrap()), json!({"a": "1"}));
    }

    #[test]
    fn rejects_malformed_names() {
        for (body, key) in [
            ("a[b=1", "a[b"),
            ("a[b]c=1", "a[b]c"),
            ("[a]=1", "[a]"),
            ("=1", ""),
            ("a]=1", "a]"),
            ("a[b[c]]=1", "a[b[c]]"),
            ("a[][]=1", "a[][]"),
        ] {
            match decode(body) {
                Err(FormError::MalformedKey { key: got, .. }) => assert_eq!(got, key, "{body}"),
                other => panic!("{body}: expected a malformed key, got {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_a_name_that_is_both_a_value_and_a_hash() {
        let err = decode("a=1&a[b]=2").unwrap_err();
        assert_eq!(
            err,
            FormError::Conflict {
                key: "a[b]".to_owned(),
                first: "a value",
                second: "a hash"
            }
        );
        assert_eq!(
            err.to_string(),
            "parameter `a[b]` is given both as a value and as a hash"
        );
        assert!(matches!(
            decode("a[b]=2&a=1"),
            Err(FormError::Conflict { .. })
        ));
        assert!(matches!(
            decode("a[]=1&a[b]=2"),
            Err(FormError::Conflict { .. })
        ));
        assert!(matches!(
            decode("a[b]=1&a[]=2"),
            Err(FormError::Conflict { .. })
        ));
    }

    #[test]
    fn round_trips() {
        round_trip(json!({}));
        round_trip(json!({"a": {}, "b": [], "c": null}));
        round_trip(json!({"name": "Plus", "active": true, "unit_amount": 1900,
                          "percent_off": 12.5, "nickname": null}));
        round_trip(
            json!({"metadata": {"plan": "pro", "tier": "2", "ünï": "çødé ✓"},
                          "images": [], "marketing_features": [{"name": "A & B"}, {"name": "x=y+z"}]}),
        );
        round_trip(
            json!({"recurring": {"interval": "month", "interval_count": 3},
                          "currency_options": {"usd": {"unit_amount": 1000,
                              "tiers": [{"up_to": 5, "flat_amount": 0}, {"up_to": "inf"}]}}}),
        );
        round_trip(json!({"features": {"subscription_update": {"enabled": true,
            "default_allowed_updates": ["price", "quantity"],
            "products": [{"product": "prod_1", "prices": ["price_1", "price_2"]},
                         {"product": "prod_2", "prices": ["price_3"]}]},
            "customer_update": {"allowed_updates": []}}}));
    }

    #[test]
    fn a_name_nested_past_the_bound_is_refused_not_recursed() {
        let ok = format!("metadata{}=1", "[a]".repeat(MAX_DEPTH));
        assert!(decode(&ok).is_ok());
        let deep = format!("metadata{}=1", "[a]".repeat(2000));
        match decode(&deep) {
            Err(FormError::TooDeep { key, depth }) => {
                assert_eq!(depth, 2000);
                assert!(key.len() < 100, "{key}");
            }
            other => panic!("expected TooDeep, got {other:?}"),
        }
        let deep_array = format!("a{}=1", "[]".repeat(5000));
        assert!(matches!(
            decode(&deep_array),
            Err(FormError::TooDeep { .. })
        ));
    }

    #[test]
    fn too_many_pairs_and_too_many_bytes_are_refused() {
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("k{i}=v")).collect();
        assert_eq!(decode(&many.join("&")), Err(FormError::TooManyParams));
        assert!(decode(&many[..MAX_PARAMS].join("&")).is_ok());
        let big = format!("name={}", "x".repeat(MAX_BYTES));
        assert_eq!(
            decode(&big),
            Err(FormError::TooLarge {
                bytes: MAX_BYTES + 5
            })
        );
    }

    /// How deep a decoded value goes (a leaf is 1).
    fn depth(value: &Value) -> usize {
        match value {
            Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
            Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
            _ => 1,
        }
    }

    /// The fuzz budget: this many seeded inputs (fixed seed, so a failure reproduces), mixing
    /// random bytes with structured names (brackets, indices, percent escapes, deep nests).
    pub(crate) const FUZZ_CASES: u64 = 20_000;

    /// One random form body from `rng`: the generator the parser and router fuzz tests share.
    pub(crate) fn fuzz_body(rng: &mut impl rand::Rng) -> String {
        const PIECES: &[&str] = &[
            "a",
            "b",
            "metadata",
            "tiers",
            "[",
            "]",
            "[]",
            "[0]",
            "[1]",
            "[10]",
            "[a]",
            "[b]",
            "=",
            "&",
            "%5B",
            "%5D",
            "%",
            "%zz",
            "+",
            "é",
            "\u{0}",
            "999999999999",
            "[[",
            "]]",
            "name",
            "expand",
            "[data]",
        ];
        match rng.gen_range(0..4) {
            0 => {
                let len = rng.gen_range(0..64);
                let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            1 => {
                let extra = 2000 * rng.gen_range(0..2);
                let depth = rng.gen_range(0..3 * MAX_DEPTH + extra);
                let open = if rng.gen() { "[a]" } else { "[]" };
                format!("m{}={}", open.repeat(depth), rng.gen::<u8>())
            }
            _ => {
                let parts = rng.gen_range(0..24);
                (0..parts)
                    .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
                    .collect()
            }
        }
    }

    #[test]
    fn fuzz_decode_never_panics_and_stays_within_the_bounds() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::SmallRng::seed_from_u64(12);
        for _ in 0..FUZZ_CASES {
            let body = fuzz_body(&mut rng);
            if let Ok(params) = decode(&body) {
                let value = Value::Object(params);
                assert!(depth(&value) <= MAX_DEPTH + 2, "{body}");
                // What decoded encodes and decodes again without error.
                let Value::Object(params) = value else {
                    unreachable!()
                };
                let again = encode(&params);
                let _ = decode(&again);
            }
        }
    }
}
