// Padding to terminal columns (display width, so å, wide characters and emoji line up).

/// Pads with spaces on the right to `width` columns.
func pad(_ s: String, _ width: Int) -> String {
    let w = displayWidth(s)
    return w >= width ? s : s + String(repeating: " ", count: width - w)
}

/// Pads with spaces on the left to `width` columns (numbers aligned right).
func leftPad(_ s: String, _ width: Int) -> String {
    let w = displayWidth(s)
    return w >= width ? s : String(repeating: " ", count: width - w) + s
}
