//! Delta debugging (ddmin) of a failing script: the smallest script found, within a budget,
//! that still makes the server and `check` differ.

use std::time::{Duration, Instant};

use crate::script::Action;
use crate::session::{Difference, Session};

/// Shrink `script` (which fails) while it still fails; at most `budget` of replays.
pub fn minimize(session: &Session, script: &[Action], budget: Duration) -> (Vec<Action>, Option<Difference>) {
    let start = Instant::now();
    let fails = |s: &[Action]| -> Option<Difference> {
        let mut s = s.to_vec();
        if s.last() != Some(&Action::Check) {
            s.push(Action::Check);
        }
        session.run(&s, true).ok().flatten()
    };
    // Only the final comparison counts: drop the intermediate checks first.
    let mut current: Vec<Action> = script.iter().filter(|a| **a != Action::Check).cloned().collect();
    let mut last = fails(&current);
    if last.is_none() {
        // the difference needs an intermediate comparison's timing: keep the script as it is
        return (script.to_vec(), None);
    }
    let mut n = 2usize;
    while current.len() >= 2 && start.elapsed() < budget {
        let chunk = current.len().div_ceil(n);
        let mut reduced = None;
        for i in 0..n {
            if start.elapsed() >= budget {
                break;
            }
            let lo = i * chunk;
            if lo >= current.len() {
                break;
            }
            let hi = (lo + chunk).min(current.len());
            let complement: Vec<Action> = current[..lo].iter().chain(&current[hi..]).cloned().collect();
            if let Some(d) = fails(&complement) {
                reduced = Some((complement, d));
                break;
            }
        }
        if let Some((complement, d)) = reduced {
            current = complement;
            last = Some(d);
            n = (n - 1).max(2);
            continue;
        }
        if n >= current.len() {
            break;
        }
        n = (2 * n).min(current.len());
    }
    current.push(Action::Check);
    (current, last)
}
