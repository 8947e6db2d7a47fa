//! Every string validator on arbitrary input: no panic, and whatever parses
//! re-parses to itself; sanitizers' output always parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seckit::validate::{
    Email, Filename, KvKey, SqlIdentifier, Tag, Tags, Text, UnicodeUsername, UserId, Username, html,
};

macro_rules! reparses {
    ($ty:ty, $input:expr) => {
        if let Ok(v) = <$ty>::parse($input) {
            assert_eq!(<$ty>::parse(v.as_str()).expect("re-parse"), v);
        }
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    reparses!(Username, input);
    reparses!(UserId, input);
    reparses!(Email, input);
    reparses!(Text, input);
    reparses!(Tag, input);
    reparses!(SqlIdentifier, input);
    reparses!(UnicodeUsername, input);
    let _ = Tags::parse_list(input);
    let _ = KvKey::builder()
        .segment(input)
        .and_then(|b| b.segment(input))
        .and_then(|b| b.build());
    assert!(Text::parse(Text::sanitize(input).as_str()).is_ok());
    assert!(Filename::parse(Filename::sanitize(input).as_str()).is_ok());
    let escaped = html::escape(input);
    assert!(!escaped.contains(['<', '>', '"', '\'']));
});
