//! Stored policy decisions, packed: a decision's JSON repeats the same keys, rule ids and
//! explanations in both languages from case to case (2.7 KB each), so it is stored deflated
//! against a preset dictionary of typical decisions (`packed/decisions.dictionary`), as text:
//! `z1:` and the stream in base64 — about a tenth of the size. Decisions stored before, as plain
//! JSON, are read as they are. The dictionary of `z1` must never change: a better one is `z2`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

const DICTIONARY: &[u8] = include_bytes!("packed/decisions.dictionary");
const PREFIX: &str = "z1:";

/// The decision's JSON as stored.
pub fn pack(json: &str) -> String {
    let mut compress = Compress::new(Compression::default(), true);
    if compress.set_dictionary(DICTIONARY).is_err() {
        return json.to_string();
    }
    let mut packed = Vec::with_capacity(json.len() / 4 + 64);
    loop {
        let read = compress.total_in() as usize;
        match compress.compress_vec(&json.as_bytes()[read..], &mut packed, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(_) => packed.reserve(packed.capacity().max(256)),
            Err(_) => return json.to_string(),
        }
    }
    format!("{PREFIX}{}", STANDARD_NO_PAD.encode(packed))
}

/// The decision's JSON from what was stored (packed or, from before, plain); `None` if a packed
/// value cannot be read.
pub fn unpack(stored: &str) -> Option<String> {
    let Some(encoded) = stored.strip_prefix(PREFIX) else {
        return Some(stored.to_string());
    };
    let packed = STANDARD_NO_PAD.decode(encoded).ok()?;
    let mut decompress = Decompress::new(true);
    let mut json = Vec::with_capacity(packed.len() * 12);
    loop {
        let read = decompress.total_in() as usize;
        match decompress.decompress_vec(&packed[read..], &mut json, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => break,
            Ok(_) => json.reserve(json.capacity().max(1024)),
            // The stream asks for its dictionary first.
            Err(error) if error.needs_dictionary().is_some() => {
                decompress.set_dictionary(DICTIONARY).ok()?;
            }
            Err(_) => return None,
        }
    }
    String::from_utf8(json).ok()
}

#[cfg(test)]
mod tests {
    use super::{pack, unpack};

    #[test]
    fn a_decision_comes_back_exactly_and_much_smaller() {
        // The dictionary's first decision, on other dates.
        let dictionary = std::str::from_utf8(super::DICTIONARY).unwrap();
        let end = dictionary.find("}{\"jurisdiction\"").unwrap() + 1;
        let decision = dictionary[..end].replace("2026-", "2027-");
        assert!(decision.len() > 2_000);
        let packed = pack(&decision);
        assert!(packed.starts_with("z1:"));
        assert!(
            packed.len() * 5 < decision.len(),
            "{} of {}",
            packed.len(),
            decision.len()
        );
        assert_eq!(unpack(&packed).as_deref(), Some(decision.as_str()));
    }

    #[test]
    fn text_of_any_size_and_plain_json_of_before_come_back() {
        let long: String = (0..20_000)
            .map(|index| char::from(b'a' + (index * 7 % 26) as u8))
            .collect();
        for text in [
            "",
            "{}",
            "{\"jurisdiction\":\"EU\"}",
            "退款 😀",
            long.as_str(),
        ] {
            assert_eq!(unpack(&pack(text)).as_deref(), Some(text));
            assert_eq!(unpack(text).as_deref(), Some(text), "stored before packing");
        }
        assert_eq!(unpack("z1:!!!"), None);
    }
}
