//! State files (checkpoints, shards) carry a checksum of their own content, checked before
//! they are trusted: a digit changed by hand, a truncated copy or a disk error is refused
//! instead of being merged into a study's statistics.
//!
//! The checksum is FNV-1a (64 bits) of the file's JSON with the checksum field empty. Every
//! step of FNV-1a is a bijection of its state, so changing any one byte always changes the
//! checksum; it guards against accidents, not against someone forging a file.

use serde::Serialize;

/// Prefix naming the checksum's algorithm, so that another can follow.
const ALGORITHM: &str = "fnv1a64:";

/// A state file with a checksum field.
pub trait Sealed: Serialize {
    fn checksum_field(&mut self) -> &mut String;
}

/// FNV-1a (64 bits), fed in pieces: the checksum here and the study's identity hashes.
#[derive(Clone, Copy)]
pub(crate) struct Fnv1a(u64);

impl Fnv1a {
    pub(crate) fn new() -> Fnv1a {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn eat(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash as 16 hex digits.
    pub(crate) fn hex(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The checksum of `value` as it serialises with an empty checksum field.
fn checksum_of<T: Sealed>(value: &mut T) -> Result<String, serde_json::Error> {
    let kept = std::mem::take(value.checksum_field());
    let body = serde_json::to_string(value);
    *value.checksum_field() = kept;
    let mut hash = Fnv1a::new();
    hash.eat(body?.as_bytes());
    Ok(format!("{ALGORITHM}{}", hash.hex()))
}

/// Serialises `value` with its checksum filled in.
pub fn seal<T: Sealed>(value: &mut T) -> Result<String, serde_json::Error> {
    *value.checksum_field() = checksum_of(value)?;
    serde_json::to_string(value)
}

/// Checks the checksum of a value read from a file; the error says what is wrong.
pub fn verify<T: Sealed>(value: &mut T) -> Result<(), String> {
    let claimed = value.checksum_field().clone();
    if claimed.is_empty() {
        return Err("it has no checksum (it was not written by this egap)".into());
    }
    let actual = checksum_of(value).map_err(|e| format!("cannot check it: {e}"))?;
    if claimed != actual {
        return Err(format!(
            "its checksum does not match its content (it was changed or damaged after it was written: {claimed} recorded, {actual} computed)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize)]
    struct State {
        sum: u64,
        name: String,
        #[serde(default)]
        checksum: String,
    }

    impl Sealed for State {
        fn checksum_field(&mut self) -> &mut String {
            &mut self.checksum
        }
    }

    #[test]
    fn every_changed_byte_is_caught() {
        let mut s = State {
            sum: 1_234_567_890,
            name: "rts79".into(),
            checksum: String::new(),
        };
        let text = seal(&mut s).unwrap();
        let mut read: State = serde_json::from_str(&text).unwrap();
        verify(&mut read).unwrap();
        // Every digit of the sum, changed to every other digit.
        let at = text.find("1234567890").unwrap();
        for i in at..at + 10 {
            for d in b'0'..=b'9' {
                // (A leading zero would not be JSON.)
                if text.as_bytes()[i] == d || (i == at && d == b'0') {
                    continue;
                }
                let mut bytes = text.clone().into_bytes();
                bytes[i] = d;
                let mut changed: State = serde_json::from_slice(&bytes).unwrap();
                assert!(
                    verify(&mut changed).is_err(),
                    "{}",
                    String::from_utf8(bytes).unwrap()
                );
            }
        }
        let mut unsealed: State = serde_json::from_str(r#"{"sum":1,"name":"x"}"#).unwrap();
        assert!(verify(&mut unsealed).unwrap_err().contains("no checksum"));
    }
}
