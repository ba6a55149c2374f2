//! The network device's static IPv4 configuration (`kernelParams.net`):
//! dotted quads in the CUE manifest, checked here, numbers in the boot
//! module (schema `NetParams`).

use crate::error::InputError;
use crate::input::NetJson;

/// QEMU user networking's guest address, prefix and gateway: what the
/// kernel uses when the manifest says nothing.
pub const DEFAULT: NetConfig = NetConfig {
    address: 0x0a00_020f,
    prefix_length: 24,
    gateway: 0x0a00_0202,
};

/// Addresses are the four octets in network order read as one big-endian
/// number (10.0.2.2 is 0x0a000202), as in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetConfig {
    pub address: u32,
    pub prefix_length: u8,
    pub gateway: u32,
}

impl Default for NetConfig {
    fn default() -> Self {
        DEFAULT
    }
}

/// Parses `a.b.c.d`.
pub fn parse_ipv4(text: &str) -> Option<u32> {
    let mut octets = text.split('.');
    let mut value = 0u32;
    for _ in 0..4 {
        let part = octets.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        value = value << 8 | part.parse::<u8>().ok()? as u32;
    }
    octets.next().is_none().then_some(value)
}

/// Checks `kernelParams.net`; absent takes [`DEFAULT`].
pub fn check(net: Option<&NetJson>) -> Result<NetConfig, InputError> {
    let Some(net) = net else {
        return Ok(DEFAULT);
    };
    let bad = |field: &str, what: &str| {
        InputError::new(
            format!("kernelParams.net.{field}"),
            format!(
                "{what} is not {}",
                if field == "address" {
                    "an IPv4 address with a prefix length (a.b.c.d/n, n 1..=30)"
                } else {
                    "an IPv4 address (a.b.c.d)"
                }
            ),
        )
    };
    let (addr, prefix) = net
        .address
        .split_once('/')
        .ok_or_else(|| bad("address", &format!("{:?}", net.address)))?;
    let address = parse_ipv4(addr).ok_or_else(|| bad("address", &format!("{:?}", net.address)))?;
    let prefix_length = prefix
        .parse::<u8>()
        .ok()
        .filter(|p| (1..=30).contains(p))
        .ok_or_else(|| bad("address", &format!("{:?}", net.address)))?;
    let gateway =
        parse_ipv4(&net.gateway).ok_or_else(|| bad("gateway", &format!("{:?}", net.gateway)))?;
    let mask = u32::MAX << (32 - prefix_length);
    if gateway & mask != address & mask || gateway == address {
        return Err(InputError::new(
            "kernelParams.net.gateway",
            format!(
                "{} is not another address on {}'s network",
                net.gateway, net.address
            ),
        ));
    }
    Ok(NetConfig {
        address,
        prefix_length,
        gateway,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(address: &str, gateway: &str) -> Result<NetConfig, InputError> {
        check(Some(&NetJson {
            address: address.into(),
            gateway: gateway.into(),
        }))
    }

    #[test]
    fn absent_is_qemu_user_networking() {
        assert_eq!(check(None).unwrap(), DEFAULT);
        assert_eq!(net("10.0.2.15/24", "10.0.2.2").unwrap(), DEFAULT);
    }

    #[test]
    fn octets_and_prefixes_are_checked() {
        assert_eq!(parse_ipv4("192.168.1.254"), Some(0xc0a8_01fe));
        for bad in [
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            "a.b.c.d",
            "01234.1.1.1",
            "",
        ] {
            assert_eq!(parse_ipv4(bad), None, "{bad}");
        }
        assert!(net("10.0.2.15", "10.0.2.2").is_err());
        assert!(net("10.0.2.15/0", "10.0.2.2").is_err());
        assert!(net("10.0.2.15/31", "10.0.2.2").is_err());
        assert!(net("10.0.2.15/24", "10.0.2").is_err());
        let e = net("10.0.2.15/24", "10.0.3.2").unwrap_err();
        assert_eq!(e.path, "kernelParams.net.gateway");
        assert!(net("10.0.2.15/24", "10.0.2.15").is_err());
        assert_eq!(
            net("192.168.7.2/16", "192.168.0.1").unwrap(),
            NetConfig {
                address: 0xc0a8_0702,
                prefix_length: 16,
                gateway: 0xc0a8_0001
            }
        );
    }
}
