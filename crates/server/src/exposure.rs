//! Who can reach the server, judged from its configuration at start: development and
//! demo modes are made for one developer's machine, and a server others reach over plain
//! HTTP sends their passwords and session cookies in the clear.

use crate::config::{Config, ConfigError};

/// Refuses what must not start; returns what may start but deserves a warning.
pub fn check(config: &Config) -> Result<Vec<String>, ConfigError> {
    let local = config.addr.ip().to_canonical().is_loopback();
    if local {
        return Ok(Vec::new());
    }
    if config.dev {
        return Err(ConfigError(format!(
            "TESSERA_DEV=1 shows every mailed link (invitations included) and lets anyone move the server's clock, \
             so it only listens on a loopback address such as 127.0.0.1:8080 or [::1]:8080, not {}",
            config.addr
        )));
    }
    let mut warnings = Vec::new();
    if config.demo {
        warnings.push(format!(
            "TESSERA_DEMO=1 on {}, which other machines can reach: the demo accounts' passwords are public \
             (they are in the source code); anyone who reaches this server can sign in as them",
            config.addr
        ));
    }
    if !config.https() {
        warnings.push(format!(
            "listening on {} with the http public URL {}: passwords and session cookies would cross the network \
             unencrypted; put a TLS proxy in front and set TESSERA_PUBLIC_URL to its https:// address",
            config.addr, config.public_url
        ));
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(addr: &str, public_url: &str, dev: bool, demo: bool) -> Config {
        Config {
            addr: addr.parse().expect("an address"),
            public_url: public_url.into(),
            dev,
            demo,
            ..Config::default()
        }
    }

    #[test]
    fn dev_mode_refuses_any_address_but_loopback() {
        for addr in ["0.0.0.0:8080", "192.168.1.10:8080", "[::]:8080"] {
            let refused = check(&config(addr, "https://t.example", true, false)).expect_err(addr);
            assert!(refused.0.contains("TESSERA_DEV=1") && refused.0.contains("loopback"), "{refused}");
        }
        for addr in ["127.0.0.1:8080", "[::1]:8080", "[::ffff:127.0.0.1]:8080"] {
            assert_eq!(check(&config(addr, "http://localhost", true, true)).expect(addr), Vec::<String>::new());
        }
    }

    #[test]
    fn demo_mode_and_plain_http_on_the_network_are_warned_about() {
        let warnings = check(&config("0.0.0.0:8080", "http://t.example", false, true)).expect("starts");
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("passwords are public") && warnings[1].contains("TLS proxy"));
        let warnings = check(&config("0.0.0.0:8080", "HTTPS://t.example", false, false)).expect("starts");
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
