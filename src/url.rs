//! Pieces of URLs the app builds itself. Kept apart from the router and the API
//! client, which both need them, so that neither imports the other.

/// Percent-encodes a query value, keeping `/` and unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 0xF)] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode_query_value("/a-b_c.d~e"), "/a-b_c.d~e");
        assert_eq!(encode_query_value("?&=# %"), "%3F%26%3D%23%20%25");
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }
}
