__version__ = "0.0.1"

def __getattr__(name): # `tao_hub.load_tuned` without importing torch for `import tao_hub`
    if name == "load_tuned":
        from .publish import load_tuned
        return load_tuned
    raise AttributeError(f"module 'tao_hub' has no attribute {name!r}")
