use super::*;

#[test]
fn shown_scores_never_round_up_across_a_threshold() {
    assert_eq!(score_text(0.348), "0.34");
    assert_eq!(score_text(crate::analysis::LEAK_AT), "0.35");
    assert_eq!(score_text(1.0), "1.00");
    assert_eq!(score_text(0.0), "0.00");
}
