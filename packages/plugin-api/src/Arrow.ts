/**
 * Apache Arrow, as the host loads it. Plugins take Arrow from here rather than depending on their own
 * copy: record batches cross the host/plugin boundary, and two copies of apache-arrow do not recognise
 * each other's vectors.
 */
export * from "apache-arrow"
