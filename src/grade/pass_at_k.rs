//! The unbiased pass@k estimator of Chen et al. (2021), `1 - C(n-c, k) / C(n, k)`, in the
//! numerically stable product form that openai/human-eval uses.

/// pass@k for one problem with `n` samples of which `c` passed. `None` when `k > n`
/// (pass@k is not defined then, and passk never reports it).
pub fn pass_at_k(n: u64, c: u64, k: u64) -> Option<f64> {
    if k == 0 || k > n || c > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    // 1 - prod_{i = n-c+1}^{n} (1 - k / i)
    let mut prod = 1.0f64;
    for i in (n - c + 1)..=n {
        prod *= 1.0 - k as f64 / i as f64;
    }
    Some(1.0 - prod)
}

/// Mean pass@k over problems, each given as `(n, c)`. `None` when any problem has fewer
/// than `k` samples, or there are no problems.
pub fn mean_pass_at_k(problems: &[(u64, u64)], k: u64) -> Option<f64> {
    if problems.is_empty() {
        return None;
    }
    let mut sum = 0.0;
    for &(n, c) in problems {
        sum += pass_at_k(n, c, k)?;
    }
    Some(sum / problems.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// Known values of human-eval's `estimate_pass_at_k`, checked against the binomial
    /// definition with exact integers.
    #[test]
    fn matches_human_eval_estimator() {
        assert!(close(pass_at_k(10, 1, 1).unwrap(), 0.1));
        assert!(close(pass_at_k(10, 5, 2).unwrap(), 1.0 - 20.0 / 90.0));
        assert!(close(pass_at_k(10, 0, 5).unwrap(), 0.0));
        assert!(close(pass_at_k(10, 10, 10).unwrap(), 1.0));
        assert!(close(pass_at_k(5, 3, 3).unwrap(), 1.0));
        // C(n-c,k)/C(n,k) with n=20, c=3, k=5: C(17,5)/C(20,5) = 6188/15504
        assert!(close(pass_at_k(20, 3, 5).unwrap(), 1.0 - 6188.0 / 15504.0));
        // n=200, c=13, k=100: 1 - C(187,100)/C(200,100) = 0.9999194971988055 (exact
        // big-integer binomials in Python; human-eval's product form gives the same).
        let v = pass_at_k(200, 13, 100).unwrap();
        assert!((v - 0.999_919_497_198_805_5).abs() < 1e-12, "{v}");
        // pass@1 is always c/n.
        for n in 1..30 {
            for c in 0..=n {
                assert!(close(pass_at_k(n, c, 1).unwrap(), c as f64 / n as f64));
            }
        }
    }

    #[test]
    fn undefined_when_k_exceeds_n() {
        assert_eq!(pass_at_k(3, 1, 4), None);
        assert_eq!(pass_at_k(3, 1, 0), None);
        assert_eq!(mean_pass_at_k(&[(10, 1), (3, 0)], 5), None);
        assert_eq!(mean_pass_at_k(&[], 1), None);
        assert!(close(mean_pass_at_k(&[(10, 1), (10, 3)], 1).unwrap(), 0.2));
    }

    #[test]
    fn stable_for_large_n() {
        let v = pass_at_k(100_000, 1, 1).unwrap();
        assert!(close(v, 1e-5));
        let v = pass_at_k(1000, 500, 10).unwrap();
        assert!(v > 0.999 && v <= 1.0);
    }
}
