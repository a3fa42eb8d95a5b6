//! `--shard i/N`: a run split by problem across N machines (e.g. a Kubernetes Indexed Job,
//! `JOB_COMPLETION_INDEX` → i). Every sample of a problem lands in the same shard, decided
//! by a stable hash of the problem id, so shards can run anywhere and `passk merge` joins
//! them into the run an unsharded `passk exec` would have produced.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based index, < `count`.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn contains(&self, task_id: &str) -> bool {
        let h = Sha256::digest(task_id.as_bytes());
        let v = u64::from_le_bytes(h[..8].try_into().expect("8 bytes"));
        v % u64::from(self.count) == u64::from(self.index)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected INDEX/COUNT, e.g. 0/4"))?;
        let index: u32 = i
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: bad index `{i}`"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{s}`: bad count `{n}`"))?;
        if count == 0 || index >= count {
            return Err(format!(
                "`{s}`: the index is 0-based and must be below the count"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_problems() {
        let ids: Vec<String> = (0..500).map(|i| format!("HumanEval/{i}")).collect();
        let shards: Vec<Shard> = (0..3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for id in &ids {
            assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1, "{id}");
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| ids.iter().filter(|id| s.contains(id)).count())
            .collect();
        assert!(sizes.iter().all(|&n| n > 120), "{sizes:?}");
        assert!("3/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        assert_eq!("1/4".parse::<Shard>().unwrap().to_string(), "1/4");
    }
}
