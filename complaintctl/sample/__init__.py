"""The deterministic sample office: generated cases through the real steps, their texts, and the
bulk writer that commits them."""
