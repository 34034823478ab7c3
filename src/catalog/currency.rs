//! The currencies Stripe accepts for prices and coupons (ISO 4217 codes, lowercase), from
//! https://docs.stripe.com/currencies. A code outside this list is an error before any request.

/// Sorted, so membership is a binary search.
const SUPPORTED: &[&str] = &[
    "aed", "afn", "all", "amd", "ang", "aoa", "ars", "aud", "awg", "azn", "bam", "bbd", "bdt",
    "bgn", "bhd", "bif", "bmd", "bnd", "bob", "brl", "bsd", "bwp", "byn", "bzd", "cad", "cdf",
    "chf", "clp", "cny", "cop", "crc", "cve", "czk", "djf", "dkk", "dop", "dzd", "egp", "etb",
    "eur", "fjd", "fkp", "gbp", "gel", "gip", "gmd", "gnf", "gtq", "gyd", "hkd", "hnl", "htg",
    "huf", "idr", "ils", "inr", "isk", "jmd", "jod", "jpy", "kes", "kgs", "khr", "kmf", "krw",
    "kwd", "kyd", "kzt", "lak", "lbp", "lkr", "lrd", "lsl", "mad", "mdl", "mga", "mkd", "mmk",
    "mnt", "mop", "mur", "mvr", "mwk", "mxn", "myr", "mzn", "nad", "ngn", "nio", "nok", "npr",
    "nzd", "omr", "pab", "pen", "pgk", "php", "pkr", "pln", "pyg", "qar", "ron", "rsd", "rub",
    "rwf", "sar", "sbd", "scr", "sek", "sgd", "shp", "sle", "sos", "srd", "std", "szl", "thb",
    "tjs", "top", "try", "ttd", "twd", "tzs", "uah", "ugx", "usd", "uyu", "uzs", "vnd", "vuv",
    "wst", "xaf", "xcd", "xof", "xpf", "yer", "zar", "zmw",
];

/// Whether Stripe accepts `code` as a currency (three lowercase letters from the list).
pub fn is_supported(code: &str) -> bool {
    SUPPORTED.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_lowercase() {
        assert!(SUPPORTED.windows(2).all(|w| w[0] < w[1]));
        assert!(SUPPORTED
            .iter()
            .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_lowercase())));
    }

    #[test]
    fn common_codes_pass_and_others_fail() {
        assert!(is_supported("eur") && is_supported("usd") && is_supported("jpy"));
        assert!(!is_supported("EUR") && !is_supported("xyz") && !is_supported("euro"));
    }
}
