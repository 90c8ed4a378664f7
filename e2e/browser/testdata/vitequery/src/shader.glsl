void main() { /* shader v1 */ }
