__version__ = "0.0.1"

from .config import hub_free_bitsandbytes
hub_free_bitsandbytes()     # before any stage imports peft or transformers' trainer, which import bitsandbytes (nbs/00_config)

def __getattr__(name): # `tao_hub.load_tuned` without importing torch for `import tao_hub`
    if name == "load_tuned":
        from .publish import load_tuned
        return load_tuned
    raise AttributeError(f"module 'tao_hub' has no attribute {name!r}")
