/**
 * @steady/kernel: what every steady package needs, with no dependencies. It
 * imports nothing; every steady package may import it.
 */
export {}
