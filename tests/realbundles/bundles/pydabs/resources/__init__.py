from databricks.bundles.core import Bundle, Resources, load_resources_from_current_package_module


def load_resources(bundle: Bundle) -> Resources:
    """Every job and pipeline defined in a module of this package."""
    return load_resources_from_current_package_module()
