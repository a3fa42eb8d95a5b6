//! Budget forcing for in-process reasoning models (`--reasoning-budget N`): once a
//! `<think>` block has run for N tokens without closing, generation is made to close it —
//! the decoder feeds the close tag as if sampled — so the model must answer with what it
//! has thought so far. [`ThinkBudget`] only watches the text; the decoder does the feeding.

/// What closes a forced-off block (the newline makes the answer start on its own line).
pub const CLOSE: &str = "\n</think>\n\n";

const OPEN_TAG: &str = "<think>";
const CLOSE_TAG: &str = "</think>";

/// The state of one sequence's reasoning against its budget.
#[derive(Debug, Clone)]
pub struct ThinkBudget {
    budget: usize,
    /// Tokens generated when `<think>` opened (its byte offset just past the tag).
    opened: Option<(usize, usize)>,
    closed: bool,
}

impl ThinkBudget {
    /// `starts_open`: the prompt itself ends inside `<think>` (chat templates that open the
    /// block for the model).
    pub fn new(budget: usize, starts_open: bool) -> ThinkBudget {
        ThinkBudget {
            budget,
            opened: starts_open.then_some((0, 0)),
            closed: false,
        }
    }

    /// Called after each token with the text so far and the tokens generated; true once,
    /// when the block must be closed now.
    pub fn over(&mut self, text: &[u8], tokens: usize) -> bool {
        if self.closed {
            return false;
        }
        let Some((at, from)) = self
            .opened
            .or_else(|| find(text, OPEN_TAG.as_bytes()).map(|i| (tokens, i + OPEN_TAG.len())))
        else {
            return false;
        };
        self.opened = Some((at, from));
        if find(&text[from.min(text.len())..], CLOSE_TAG.as_bytes()).is_some() {
            self.closed = true;
            return false;
        }
        if tokens - at >= self.budget {
            self.closed = true;
            return true;
        }
        false
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a rendered prompt leaves the model inside an open `<think>` block.
pub fn prompt_opens_think(prompt: &str) -> bool {
    let open = prompt.rfind(OPEN_TAG);
    open.is_some_and(|o| !prompt[o..].contains(CLOSE_TAG))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_block_is_closed_once_after_its_budget_and_a_closed_one_never() {
        let mut b = ThinkBudget::new(3, false);
        assert!(!b.over(b"Hi", 1), "no block yet");
        assert!(!b.over(b"Hi<think>", 2));
        assert!(!b.over(b"Hi<think>a", 3));
        assert!(!b.over(b"Hi<think>ab", 4));
        assert!(b.over(b"Hi<think>abc", 5), "three tokens since it opened");
        assert!(!b.over(b"Hi<think>abcd", 6), "only once");

        let mut b = ThinkBudget::new(2, false);
        assert!(!b.over(b"<think>", 1));
        assert!(!b.over(b"<think>x</think>", 2));
        assert!(!b.over(b"<think>x</think>code", 9), "closed by the model");

        let mut b = ThinkBudget::new(2, true);
        assert!(!b.over(b"a", 1));
        assert!(b.over(b"ab", 2), "the prompt opened it");
        assert!(prompt_opens_think("<|im_start|>assistant\n<think>\n"));
        assert!(!prompt_opens_think("<think>\n\n</think>\n\n"));
        assert!(!prompt_opens_think("plain"));
    }
}
