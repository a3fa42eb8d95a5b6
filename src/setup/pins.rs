//! The pinned guest packages of `sandboxes/pins.toml`, compiled into the binary.

use std::sync::OnceLock;

use serde::Deserialize;

const PINS_TOML: &str = include_str!("../../sandboxes/pins.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Pins {
    pub wheel: Vec<Wheel>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Wheel {
    pub name: String,
    pub version: String,
    pub sha256: String,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub extract: Vec<Extract>,
    /// `guest` (fetched by setup) or `bench` (fetched by `passk bench` only).
    #[serde(default = "guest")]
    pub purpose: String,
}

fn guest() -> String {
    "guest".into()
}

#[derive(Debug, Clone, Deserialize)]
pub struct Extract {
    pub member: String,
    pub to: String,
    pub sha256: String,
}

impl Pins {
    pub fn componentize_py(&self) -> &Wheel {
        self.named("componentize-py")
    }

    pub fn named(&self, name: &str) -> &Wheel {
        self.wheel
            .iter()
            .find(|w| w.name == name)
            .unwrap_or_else(|| panic!("sandboxes/pins.toml pins {name}"))
    }
}

pub fn pins() -> &'static Pins {
    static PINS: OnceLock<Pins> = OnceLock::new();
    PINS.get_or_init(|| toml::from_str(PINS_TOML).expect("sandboxes/pins.toml is valid"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pins_parse_and_hashes_look_right() {
        let p = super::pins();
        assert!(p.wheel.len() >= 2);
        for w in &p.wheel {
            assert_eq!(w.sha256.len(), 64, "{}", w.name);
            for e in &w.extract {
                assert_eq!(e.sha256.len(), 64, "{}", e.member);
            }
        }
        assert_eq!(p.componentize_py().version, "0.25.1");
    }
}
