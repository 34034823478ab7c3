//! The bounds of the sandbox ([`Limits`]: operations, call depth, sizes), and the size bounds
//! (strings, arrays, maps) enforced in time linear in what a script does.
//!
//! Rhai's own `set_max_array_size` / `set_max_map_size` / `set_max_string_size` are not used:
//! with any of them set, Rhai re-measures the whole value (every element, recursively) after
//! each call that may change it, so `xs.push(i)` costs O(len) and 99,000 pushes are quadratic
//! (six such arrays took 31 s in `check`); and `m[k] = v` on a map is never measured at all,
//! so a 200,000-entry map passed a 100,000-entry limit.
//!
//! Instead, [`install`] registers:
//! - a variable hook (`Engine::on_var`): every time a script reads a variable, that value's
//!   own size (string bytes, array items, map entries) is checked, O(1). Any growth of a
//!   variable reads it (`xs.push(…)`, `m[k] = …`, `s += …`), so it is caught at the next one,
//!   at the variable's position. Values nested inside others are measured by a full scan of the
//!   scope that runs again only after a quarter as many variable reads as the last scan
//!   measured, so the scans cost O(1) per read, amortised; a nested value is caught while the
//!   script keeps working with it (one it never reads again is garbage, not a danger);
//! - the call-depth bound, checked by the same hook: Rhai's own check reports a runaway
//!   recursion at the outermost call (it moves the error's position out through every
//!   level), while an error raised here stays where the recursion is, with the calls that led
//!   there as notes. Rhai's check stays, a little higher, for a recursion that reads no
//!   variable;
//! - checked versions of the functions that allocate a size given as a number in one call
//!   (`pad` for arrays, strings and BLOBs, `blob(n)`), which would otherwise allocate before
//!   any check.

use std::cell::Cell;
use std::rc::Rc;

use rhai::{Array, Blob, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position, INT};

/// The sandbox's bounds. A script can compute, but not without end.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Rhai operations per evaluation. Measured (`benches/script.rs`): a 5,000-code campaign
    /// needs under 0.1 M and a generated 10,000-object catalog under 0.2 M, so 5 M leaves
    /// 25× headroom while an endless loop stops in about 0.15 s even in a debug build.
    pub operations: u64,
    pub call_levels: usize,
    pub string_bytes: usize,
    pub array_items: usize,
    pub map_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            operations: 5_000_000,
            call_levels: 64,
            string_bytes: 64 * 1024,
            array_items: 100_000,
            map_entries: 100_000,
        }
    }
}

/// Rhai's words for the three kinds of data, which `script::error` turns into the script's.
const STRING: &str = "Length of string";
const ARRAY: &str = "Size of array";
const MAP: &str = "Size of object map";

fn too_large(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(what.to_owned(), Position::NONE).into()
}

/// The bounds, copied into the hooks.
#[derive(Clone, Copy)]
struct Bounds {
    string_bytes: usize,
    array_items: usize,
    map_entries: usize,
}

impl Bounds {
    /// One value's own size (not what it holds).
    fn check_shallow(self, value: &Dynamic) -> Result<(), Box<EvalAltResult>> {
        if let Some(text) = value.read_lock::<ImmutableString>() {
            if text.len() > self.string_bytes {
                return Err(too_large(STRING));
            }
        } else if let Some(items) = value.read_lock::<Array>() {
            if items.len() > self.array_items {
                return Err(too_large(ARRAY));
            }
        } else if let Some(entries) = value.read_lock::<Map>() {
            if entries.len() > self.map_entries {
                return Err(too_large(MAP));
            }
        } else if let Some(bytes) = value.read_lock::<Blob>() {
            if bytes.len() > self.array_items {
                return Err(too_large(ARRAY));
            }
        }
        Ok(())
    }

    /// Every value inside `value`, each against its own bound; returns how many were seen.
    fn check_deep(self, value: &Dynamic, seen: &mut usize) -> Result<(), Box<EvalAltResult>> {
        *seen += 1;
        self.check_shallow(value)?;
        if let Some(items) = value.read_lock::<Array>() {
            for item in items.iter() {
                self.check_deep(item, seen)?;
            }
        } else if let Some(entries) = value.read_lock::<Map>() {
            for item in entries.values() {
                self.check_deep(item, seen)?;
            }
        }
        Ok(())
    }

    fn check_len(self, len: INT, bound: usize, what: &str) -> Result<(), Box<EvalAltResult>> {
        if usize::try_from(len).is_ok_and(|len| len > bound) {
            return Err(too_large(what));
        }
        Ok(())
    }
}

/// A deep scan runs again after a quarter of the reads it measured: 4 values visited per
/// read, amortised, and a nested value is caught before it grows past 1.25 times its bound
/// (at most a scan interval of growth).
const SCAN_DIVISOR: u64 = 4;

/// Fewest variable reads between two deep scans.
const MIN_READS_BETWEEN_SCANS: u64 = 1024;

/// How many levels past `Limits::call_levels` Rhai's own (outer-call) check stands.
const CALL_LEVEL_BACKSTOP: usize = 4;

/// The message of a runaway recursion (the same words `script::error` uses for Rhai's).
pub(crate) fn too_deep_message(levels: usize) -> String {
    format!("function calls nested deeper than {levels} levels: is there an endless recursion?")
}

/// Installs the size checks on `engine` (and turns Rhai's own, quadratic, ones off).
pub(crate) fn install(engine: &mut Engine, limits: &Limits) {
    let call_levels = limits.call_levels;
    let bounds = Bounds {
        string_bytes: limits.string_bytes,
        array_items: limits.array_items,
        map_entries: limits.map_entries,
    };
    engine
        .set_max_string_size(0)
        .set_max_array_size(0)
        .set_max_map_size(0)
        .set_max_call_levels(call_levels + CALL_LEVEL_BACKSTOP);
    let reads = Rc::new(Cell::new(0u64));
    let next_scan = Rc::new(Cell::new(MIN_READS_BETWEEN_SCANS));
    #[allow(deprecated)] // "not deprecated, but volatile" (Rhai's words); pinned by Cargo.lock.
    engine.on_var(move |name, _, context| {
        if context.call_level() > call_levels {
            // A runtime error (not a "system" one) keeps its position: see the module doc.
            return Err(EvalAltResult::ErrorRuntime(
                too_deep_message(call_levels).into(),
                Position::NONE,
            )
            .into());
        }
        let scope = context.scope();
        if let Some(value) = scope.get(name) {
            bounds.check_shallow(value)?;
        }
        let count = reads.get() + 1;
        reads.set(count);
        if count >= next_scan.get() {
            let mut seen = 0;
            for (_, _, value) in scope.iter_raw() {
                bounds.check_deep(value, &mut seen)?;
            }
            next_scan.set(count + MIN_READS_BETWEEN_SCANS.max(seen as u64 / SCAN_DIVISOR));
        }
        Ok(None)
    });
    engine.register_fn(
        "pad",
        move |items: &mut Array, len: INT, item: Dynamic| -> Result<(), Box<EvalAltResult>> {
            bounds.check_len(len, bounds.array_items, ARRAY)?;
            let len = usize::try_from(len).unwrap_or_default();
            if len > items.len() {
                items.resize(len, item);
            }
            Ok(())
        },
    );
    engine.register_fn(
        "pad",
        move |bytes: &mut Blob, len: INT, value: INT| -> Result<(), Box<EvalAltResult>> {
            bounds.check_len(len, bounds.array_items, ARRAY)?;
            let len = usize::try_from(len).unwrap_or_default();
            if len > bytes.len() {
                bytes.resize(len, (value & 0xff) as u8);
            }
            Ok(())
        },
    );
    let pad_string = move |text: &mut ImmutableString,
                           len: INT,
                           padding: &str|
          -> Result<(), Box<EvalAltResult>> {
        // Rhai pads to `len` characters; a character is at most 4 bytes.
        bounds.check_len(len, bounds.string_bytes, STRING)?;
        let len = usize::try_from(len).unwrap_or_default();
        if padding.is_empty() {
            return Ok(());
        }
        let mut padded = text.to_string();
        let mut count = padded.chars().count();
        'fill: while count < len {
            for c in padding.chars() {
                if count >= len {
                    break 'fill;
                }
                padded.push(c);
                count += 1;
            }
        }
        if padded.len() > bounds.string_bytes {
            return Err(too_large(STRING));
        }
        *text = padded.into();
        Ok(())
    };
    engine.register_fn(
        "pad",
        move |text: &mut ImmutableString, len: INT, c: char| -> Result<(), Box<EvalAltResult>> {
            pad_string(text, len, &c.to_string())
        },
    );
    engine.register_fn(
        "pad",
        move |text: &mut ImmutableString,
              len: INT,
              padding: ImmutableString|
              -> Result<(), Box<EvalAltResult>> { pad_string(text, len, &padding) },
    );
    engine.register_fn(
        "blob",
        move |len: INT| -> Result<Blob, Box<EvalAltResult>> {
            bounds.check_len(len, bounds.array_items, ARRAY)?;
            Ok(vec![0; usize::try_from(len).unwrap_or_default()])
        },
    );
    engine.register_fn(
        "blob",
        move |len: INT, value: INT| -> Result<Blob, Box<EvalAltResult>> {
            bounds.check_len(len, bounds.array_items, ARRAY)?;
            Ok(vec![
                (value & 0xff) as u8;
                usize::try_from(len).unwrap_or_default()
            ])
        },
    );
}
