export var value = 3;
---
export var value = 4;
