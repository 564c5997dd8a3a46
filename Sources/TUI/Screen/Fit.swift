/// The first of several wordings, longest first, that fits `width` columns; else the last one
/// cut with "…". Panes say things in full when there is room and shorter when not, never
/// cutting a value in the middle when a shorter wording exists.
func fit(_ candidates: [String], _ width: Int) -> String {
    for c in candidates where displayWidth(c) <= width { return c }
    return truncate(candidates.last ?? "", width)
}
