//! Signing: HMAC-SHA256 (RFC 2104) for portal sessions and links, and outgoing webhooks.

use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_key: Vec<u8> = block.iter().map(|byte| byte ^ 0x36).collect();
    let outer_key: Vec<u8> = block.iter().map(|byte| byte ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_key)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_key)
        .chain_update(inner)
        .finalize()
        .into()
}

/// Whether two secrets (tokens, signatures) are equal, compared in constant time.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .fold(0u8, |difference, (x, y)| difference | (x ^ y))
            == 0
}

/// The signature header of an outgoing webhook: `t=<unix seconds>,v1=<hex HMAC of "t.body">`.
pub fn webhook_signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(hmac_sha256(secret, &message))
    )
}

/// SHA-256 of a token, hex: what the database stores.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        let digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(digest),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_webhook_signature_covers_time_and_body() {
        let one = webhook_signature(b"secret", 1_700_000_000, b"{}");
        assert!(one.starts_with("t=1700000000,v1="));
        assert_ne!(one, webhook_signature(b"secret", 1_700_000_001, b"{}"));
        assert_ne!(one, webhook_signature(b"secret", 1_700_000_000, b"{ }"));
    }
}
