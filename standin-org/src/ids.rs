//! Record ids as the org mints them: key prefix, pod, serial, and the three-character case checksum.

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 18-character id of record number `serial` with `key_prefix` (`001`, `003`, `500`, …).
pub fn salesforce_id(key_prefix: &str, serial: u64) -> String {
    // The pod part is mixed case on purpose, so the checksum has an upper-case letter to encode.
    let mut id = format!("{key_prefix}Dn{serial:010}");
    let suffix: String = id
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            let flags = (0..chunk.len()).filter(|&i| chunk[i].is_ascii_uppercase()).map(|i| 1usize << i).sum::<usize>();
            char::from(CHECKSUM_ALPHABET[flags])
        })
        .collect();
    id.push_str(&suffix);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_the_case_checksum() {
        assert_eq!(salesforce_id("500", 7), "500Dn0000000007IAA");
        assert_eq!(salesforce_id("003", 12), "003Dn0000000012IAA");
    }
}
