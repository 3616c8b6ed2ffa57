"""TelQC: customer service and service-quality control for telecom operators."""
__version__ = "0.1.0"
