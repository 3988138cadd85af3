//! Base64 for byte fields of the JSON formats: written standard with padding (what cosign and
//! Go's `encoding/json` write), read in every form those formats allow.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Standard alphabet, padding optional: the DSSE spec and protobuf JSON both accept unpadded.
const STANDARD_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe alphabet, padding optional: DSSE and protobuf JSON readers accept it too.
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes as every writer of these formats does: standard alphabet, padded.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard or URL-safe base64, padded or not. The error describes the standard-alphabet
/// attempt, since that is what every known writer produces.
pub(crate) fn decode_lenient(text: &str) -> Result<Vec<u8>, String> {
    match STANDARD_ANY_PAD.decode(text) {
        Ok(bytes) => Ok(bytes),
        Err(standard_error) => URL_SAFE_ANY_PAD
            .decode(text)
            .map_err(|_| standard_error.to_string()),
    }
}

/// Decodes strict standard base64, as Go's `encoding/json` reads `[]byte` (cosign key files).
pub(crate) fn decode_standard(text: &str) -> Result<Vec<u8>, String> {
    STANDARD.decode(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_allowed_form() {
        // 0xfb 0xff encodes to "+/8=" (standard) and "-_8=" (URL-safe).
        for text in ["+/8=", "+/8", "-_8=", "-_8"] {
            assert_eq!(decode_lenient(text).unwrap(), vec![0xfb, 0xff], "{text}");
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode_lenient("not base64!").is_err());
        assert!(decode_standard("-_8=").is_err());
    }
}
