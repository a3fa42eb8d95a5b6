//! Small statistics shared by summaries and comparisons.

/// Bootstrap resamples; with a fixed seed every interval is reproducible.
const RESAMPLES: usize = 2000;

/// 95 % bootstrap interval of the mean of `values` (resampling the values, e.g. problems):
/// the 2.5th and 97.5th percentiles of 2,000 seeded resample means. (0, 0) when empty.
pub fn bootstrap_mean_ci(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut rng = SplitMix(0x7061_7373_6b21);
    let n = values.len();
    let mut means: Vec<f64> = (0..RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.below(n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(|x, y| x.total_cmp(y));
    let at = |q: f64| means[((RESAMPLES as f64 - 1.0) * q).round() as usize];
    (at(0.025), at(0.975))
}

struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_brackets_the_mean_and_is_degenerate_for_constants() {
        let v: Vec<f64> = (0..100).map(|i| (i % 4 == 0) as u8 as f64).collect();
        let (lo, hi) = bootstrap_mean_ci(&v);
        assert!(lo < 0.25 && 0.25 < hi && hi - lo < 0.25, "{lo} {hi}");
        assert_eq!(bootstrap_mean_ci(&[1.0; 10]), (1.0, 1.0));
        assert_eq!(bootstrap_mean_ci(&[]), (0.0, 0.0));
    }
}
